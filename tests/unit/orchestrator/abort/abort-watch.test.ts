import { describe, expect, test } from "bun:test";
import { AbortWatch } from "../../../../src/orchestrator/abort/abort-watch.ts";
import { SeriesBuilder } from "../../../../src/orchestrator/series.ts";
import type { MetricsReport } from "../../../../src/protocol/index.ts";
import { FakeDriverReports, spread, T0 } from "../fixtures.ts";

const config = (abort_on: string[], abort_window_s = 2, abort_delay_s = 2) => ({ abort_on, abort_window_s, abort_delay_s });

/** A watch over a test's series, and `add`: a report into the series, then noted by the watch (as LiveTest and the orchestrator do). */
function watching(abort: ReturnType<typeof config>) {
  const series = new SeriesBuilder("t", T0);
  const watch = new AbortWatch(abort, series);
  const add = (report: MetricsReport) => {
    series.add(report);
    watch.note(report);
  };
  return { watch, add, series };
}

describe("an abort watch", () => {
  test("merges every driver's windows per second and fires once, with the figure", () => {
    const { watch, add } = watching(config(["errors>10%"]));
    const a = new FakeDriverReports("a", "t");
    const b = new FakeDriverReports("b", "t");
    // Second 0: a is clean, b fails half; second 1: both clean.
    add(a.window(spread(100, 1, 5)));
    add(b.window(spread(50, 1, 5), { errors: 50 }));
    expect(watch.check(T0 + 1_700, T0)).toBeNull(); // before the delay
    const firing = watch.check(T0 + 2_000, T0); // judges second 0 and 1: 50 of 200 in second 0 so far
    expect(firing && { expression: firing.expression, observed: firing.observed, window_s: firing.window_s }).toEqual({ expression: "errors>10%", observed: 25, window_s: 2 });
    expect(watch.check(T0 + 3_000, T0)).toBeNull();
  });

  test("does not fire on a clean window after an early burst of errors", () => {
    const fed = () => {
      const { watch, add } = watching(config(["errors>10%"], 2, 0));
      const a = new FakeDriverReports("a", "t");
      add(a.window([], { errors: 100 }));
      for (let s = 1; s < 5; s++) add(a.window(spread(100, 1, 5)));
      return watch;
    };
    expect(fed().check(T0 + 5_500, T0)).toBeNull(); // seconds 3 and 4
    expect(fed().check(T0 + 2_500, T0)?.observed).toBe(50); // seconds 0 and 1
  });

  test("judges at most every 200 ms, however many reports ask", () => {
    const { watch, add } = watching(config(["errors>10%"], 2, 0));
    const a = new FakeDriverReports("a", "t");
    add(a.window(spread(100, 1, 5)));
    expect(watch.check(T0 + 1_000, T0)).toBeNull();
    add(a.window([], { errors: 100 }));
    expect(watch.check(T0 + 1_100, T0)).toBeNull(); // too soon after the last judgement
    expect(watch.check(T0 + 2_000, T0)?.observed).toBe(50);
  });

  test("reads only its window's seconds from the series, the figures the series shows for them", () => {
    const { watch, add, series } = watching(config(["p99>1000"], 3, 0));
    const a = new FakeDriverReports("a", "t");
    for (let s = 0; s < 60; s++) add(a.window(spread(10, 1, 5)));
    const seconds = series.cells(57, 59).map((c) => [c.t_s, c.counts.sent]);
    expect(seconds).toEqual([
      [57, 10],
      [58, 10],
      [59, 10],
    ]);
    expect(watch.check(T0 + 60_500, T0)).toBeNull();
  });

  test("stops judging once a driver sent its final report: the tail of a test is not judged", () => {
    const { watch, add } = watching(config(["rps<50"], 2, 0));
    const a = new FakeDriverReports("a", "t");
    add(a.window(spread(100, 1, 5)));
    add(a.window(spread(3, 1, 5), { final: true }));
    expect(watch.check(T0 + 3_000, T0)).toBeNull();
  });
});
