import { expect, test } from "bun:test";
import { ManualClock } from "../../../src/orchestrator/clock.ts";

test("ManualClock is the whole Clock: one-shot timers fire once at their time, repeats repeat, defer runs on the next advance", () => {
  const clock = new ManualClock(1_000);
  const fired: string[] = [];
  clock.setTimeout((tag: string) => fired.push(`${tag}@${clock.mono()}`), 50, "once");
  const cancelled = clock.setTimeout(() => fired.push("cancelled"), 10);
  clock.clearTimeout(cancelled);
  const stop = clock.every(40, () => fired.push(`every@${clock.mono()}`));
  clock.defer(() => fired.push(`defer@${clock.mono()}`));
  clock.advance(0);
  clock.advance(100);
  stop();
  clock.advance(100);
  expect({ fired, now: clock.now(), mono: clock.mono() }).toEqual({
    fired: ["defer@0", "every@40", "once@50", "every@80"],
    now: 1_200,
    mono: 200,
  });
});
