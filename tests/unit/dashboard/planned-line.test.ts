import { describe, expect, test } from "bun:test";
import { plannedLines } from "../../../src/dashboard/client/planned-line.ts";
import type { SeriesPoint } from "../../../src/orchestrator/series.ts";

const point = (t_s: number) => ({ t_s, total: {}, drivers: {} }) as unknown as SeriesPoint;

describe("plannedLines", () => {
  test("draws each second's planned sends of a ramp, over the whole plan when the whole test is shown", () => {
    const [line] = plannedLines([[0, 0], [5, 400], [10, 0]], [point(0), point(1)], true);
    expect(line).toMatchObject({ name: "planned", dashed: true });
    expect(line!.points).toEqual([[0, 40], [1, 120], [2, 200], [3, 280], [4, 360], [5, 360], [6, 280], [7, 200], [8, 120], [9, 40]]);
  });

  test("covers only the shown seconds in a time range, and draws nothing for a test without a plan", () => {
    expect(plannedLines([[0, 100], [60, 100]], [point(30), point(31)], false)[0]!.points).toEqual([[30, 100], [31, 100]]);
    expect(plannedLines(undefined, [point(0)], true)).toEqual([]);
  });
});
