import { describe, expect, test } from "bun:test";
import { ConnSet } from "../../../src/driver/conn-set.ts";
import { rng } from "../../helpers/rng.ts";

// The pool's busy set (issue 16): the same members as a Set under any order of adds and deletes.

describe("ConnSet", () => {
  test("holds exactly what a Set would under random adds and deletes, twice-added and never-added included", () => {
    const random = rng(16);
    const items = Array.from({ length: 20 }, (_, id) => ({ id, setIndex: -1 }));
    const set = new ConnSet<(typeof items)[number]>();
    const model = new Set<(typeof items)[number]>();
    for (let step = 0; step < 5_000; step++) {
      const item = items[Math.floor(random() * items.length)]!;
      if (random() < 0.5) {
        set.add(item);
        model.add(item);
      } else {
        set.delete(item);
        model.delete(item);
      }
      expect(set.size).toBe(model.size);
    }
    expect(set.toArray().map((i) => i.id).sort((a, b) => a - b)).toEqual([...model].map((i) => i.id).sort((a, b) => a - b));
    for (const item of items) expect(item.setIndex >= 0).toBe(model.has(item));
  });

  test("toArray is a copy: deleting while walking it visits every member once", () => {
    const items = [0, 1, 2, 3].map((id) => ({ id, setIndex: -1 }));
    const set = new ConnSet<(typeof items)[number]>();
    for (const item of items) set.add(item);
    const seen: number[] = [];
    for (const item of set.toArray()) {
      seen.push(item.id);
      set.delete(item);
    }
    expect(seen.sort()).toEqual([0, 1, 2, 3]);
    expect(set.size).toBe(0);
  });
});
