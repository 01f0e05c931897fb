import { expect, test } from "bun:test";
import { addCounts, zeroCounts } from "../../../src/protocol/index.ts";
import { errorsOf } from "../../../src/orchestrator/snapshot.ts";

test("adds counts class by class into the first, and reads the errors of the sum", () => {
  const sum = zeroCounts();
  addCounts(sum, { ...zeroCounts(), sent: 5, completed: 4, status_2xx: 3, status_5xx: 1, timeout: 1 });
  addCounts(sum, { ...zeroCounts(), sent: 2, completed: 1, status_4xx: 1, connection_error: 1, late: 2 });
  expect(sum).toEqual({ sent: 7, completed: 5, status_2xx: 3, status_3xx: 0, status_4xx: 1, status_5xx: 1, timeout: 1, connection_error: 1, late: 2 });
  expect(errorsOf(sum)).toEqual({ status_4xx: 1, status_5xx: 1, timeout: 1, connection_error: 1, total: 4 });
});

test("adds an optional class present on either side, counting it 0 where it is absent", () => {
  const sum = zeroCounts();
  addCounts(sum, { ...zeroCounts(), sent: 1, completed: 1, status_2xx: 1 });
  addCounts(sum, { ...zeroCounts(), sent: 2, completed: 2, status_2xx: 2, body_too_large: 2 });
  addCounts(sum, { ...zeroCounts(), sent: 1, completed: 1, status_2xx: 1, body_too_large: 1 });
  expect(sum).toEqual({ ...zeroCounts(), sent: 4, completed: 4, status_2xx: 4, body_too_large: 3 });
});
