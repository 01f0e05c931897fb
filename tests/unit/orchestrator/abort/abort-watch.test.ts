import { describe, expect, test } from "bun:test";
import { AbortWatch } from "../../../../src/orchestrator/abort/abort-watch.ts";
import { FakeDriverReports, spread, T0 } from "../fixtures.ts";

const config = (abort_on: string[], abort_window_s = 2, abort_delay_s = 2) => ({ abort_on, abort_window_s, abort_delay_s });

describe("an abort watch", () => {
  test("merges every driver's windows per second and fires once, with the figure", () => {
    const watch = new AbortWatch(config(["errors>10%"]));
    const a = new FakeDriverReports("a", "t");
    const b = new FakeDriverReports("b", "t");
    // Second 0: a is clean, b fails half; second 1: both clean.
    watch.add(a.window(spread(100, 1, 5)), T0);
    watch.add(b.window(spread(50, 1, 5), { errors: 50 }), T0);
    expect(watch.check(T0 + 1_700, T0)).toBeNull(); // before the delay
    const firing = watch.check(T0 + 2_000, T0); // judges second 0 and 1: 50 of 200 in second 0 so far
    expect(firing && { expression: firing.expression, observed: firing.observed, window_s: firing.window_s }).toEqual({ expression: "errors>10%", observed: 25, window_s: 2 });
    expect(watch.check(T0 + 3_000, T0)).toBeNull();
  });

  test("does not fire on a clean window after an early burst of errors", () => {
    const fed = () => {
      const watch = new AbortWatch(config(["errors>10%"], 2, 0));
      const a = new FakeDriverReports("a", "t");
      watch.add(a.window([], { errors: 100 }), T0);
      for (let s = 1; s < 5; s++) watch.add(a.window(spread(100, 1, 5)), T0);
      return watch;
    };
    expect(fed().check(T0 + 5_500, T0)).toBeNull(); // seconds 3 and 4
    expect(fed().check(T0 + 2_500, T0)?.observed).toBe(50); // seconds 0 and 1
  });

  test("judges at most every 200 ms, however many reports ask", () => {
    const watch = new AbortWatch(config(["errors>10%"], 2, 0));
    const a = new FakeDriverReports("a", "t");
    watch.add(a.window(spread(100, 1, 5)), T0);
    expect(watch.check(T0 + 1_000, T0)).toBeNull();
    watch.add(a.window([], { errors: 100 }), T0);
    expect(watch.check(T0 + 1_100, T0)).toBeNull(); // too soon after the last judgement
    expect(watch.check(T0 + 2_000, T0)?.observed).toBe(50);
  });

  test("keeps only the seconds its window needs", () => {
    const watch = new AbortWatch(config(["p99>1000"], 3, 0));
    const a = new FakeDriverReports("a", "t");
    for (let s = 0; s < 60; s++) watch.add(a.window(spread(10, 1, 5)), T0);
    expect(watch.size).toBeLessThanOrEqual(3 + 4);
  });

  test("stops judging once a driver sent its final report: the tail of a test is not judged", () => {
    const watch = new AbortWatch(config(["rps<50"], 2, 0));
    const a = new FakeDriverReports("a", "t");
    watch.add(a.window(spread(100, 1, 5)), T0);
    watch.add(a.window(spread(3, 1, 5), { final: true }), T0);
    expect(watch.check(T0 + 3_000, T0)).toBeNull();
  });
});
