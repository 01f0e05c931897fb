import { expect, test } from "bun:test";
import { RecentIds } from "../../../src/driver/recent-ids.ts";

test("remembers the newest ids up to its limit, a repeated one counting as the newest", () => {
  const ids = new RecentIds(2);
  ids.add("a");
  ids.add("b");
  ids.add("a");
  ids.add("c");
  ids.delete("c");
  expect({ a: ids.has("a"), b: ids.has("b"), c: ids.has("c") }).toEqual({ a: true, b: false, c: false });
});
