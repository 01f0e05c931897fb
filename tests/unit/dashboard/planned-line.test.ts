import { describe, expect, test } from "bun:test";
import { plannedLines } from "../../../src/dashboard/client/planned-line.ts";
import { expectedRequests, renderTiles } from "../../../src/dashboard/client/render.ts";
import type { SeriesPoint } from "../../../src/orchestrator/series.ts";
import { testView } from "../cli/fixtures.ts";

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

describe("the expected total of a planned test", () => {
  test("is what the planned rate adds up to when that is less than count × drivers (a ramp of 1,000 per driver on 2)", () => {
    const view = testView({ state: "running" });
    view.config = { ...view.config, message_count_per_driver: 100_000 };
    view.drivers = ["a", "b"];
    view.planned_rps = [[0, 0], [5, 400], [10, 0]];
    expect(expectedRequests(view)).toBe(2_000);
    expect(renderTiles(view).replace(/<[^>]+>/g, " ")).toContain("sent of 2,000");
    delete view.planned_rps;
    expect(expectedRequests(view)).toBe(200_000);
  });
});
