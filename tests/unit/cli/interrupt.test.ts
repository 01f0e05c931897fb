import { describe, expect, test } from "bun:test";
import { CliError } from "../../../src/cli/client.ts";
import { finish, type FollowEvent, type Output } from "../../../src/cli/follow.ts";
import { followInterruptibly, type OnInterrupt } from "../../../src/cli/interrupt.ts";
import { formatSummary } from "../../../src/cli/summary.ts";
import { OrchestratorError } from "../../../src/orchestrator/errors.ts";
import { parseThreshold } from "../../../src/protocol/thresholds.ts";
import { testView } from "./fixtures.ts";

/** Events pushed by the test, one at a time, as a stream would deliver them. */
function eventStream() {
  const queue: FollowEvent[] = [];
  let wake: (() => void) | null = null;
  return {
    push(event: FollowEvent) {
      queue.push(event);
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const event = queue.shift()!;
        yield event;
        if (event.kind === "final") return;
      }
    },
  };
}

/** A Ctrl-C the test presses; `installed` tells whether a handler is listening. */
function keyboard() {
  let handler: (() => void) | null = null;
  const onInterrupt: OnInterrupt = (h) => {
    handler = h;
    return () => void (handler = null);
  };
  return { onInterrupt, press: () => handler?.(), installed: () => handler !== null };
}

function output() {
  const out: Output & { err: string } = { err: "", stdout: () => {}, stderr: (t) => void (out.err += t), tty: false };
  return out;
}

const running = testView({ state: "running", ended_at: null });
const stopped = testView({ state: "stopped", stop: { requested_at: 2_000, reason: "Ctrl-C in loadtest start", grace_ms: 2000, by: "user", unconfirmed: [] } });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("Ctrl-C while following a test", () => {
  test("the first asks for the stop once and follows on to the final result", async () => {
    const events = eventStream();
    const keys = keyboard();
    const out = output();
    let stops = 0;
    const following = followInterruptibly(events, { testId: "t1", out, quiet: true, detach: false, onInterrupt: keys.onInterrupt, requestStop: async () => void stops++ });
    events.push({ kind: "snapshot", test: running });
    await tick();
    keys.press();
    events.push({ kind: "final", test: stopped });
    expect(await following).toEqual({ kind: "final", test: stopped, interrupted: true });
    expect({ stops, err: out.err, installed: keys.installed() }).toEqual({ stops: 1, err: "\nloadtest: stopping test t1 (Ctrl-C again to leave without waiting)\n", installed: false });
  });

  test("the second leaves without waiting, closes the stream and says how to follow again", async () => {
    const events = eventStream();
    const keys = keyboard();
    const out = output();
    const abort = new AbortController();
    const following = followInterruptibly(events, { testId: "t1", out, quiet: true, detach: false, onInterrupt: keys.onInterrupt, requestStop: async () => {}, abort, rejoin: "loadtest watch t1" });
    keys.press();
    keys.press();
    expect(await following).toEqual({ kind: "left" });
    expect({ aborted: abort.signal.aborted, last: out.err.trim().split("\n").at(-1) }).toEqual({ aborted: true, last: 'loadtest: left without waiting; test t1 is stopping; follow it with "loadtest watch t1"' });
  });

  test("with --detach the first leaves and the test is not stopped", async () => {
    const keys = keyboard();
    const out = output();
    let stops = 0;
    const following = followInterruptibly(eventStream(), { testId: "t1", out, quiet: true, detach: true, onInterrupt: keys.onInterrupt, requestStop: async () => void stops++, rejoin: "loadtest watch t1" });
    keys.press();
    expect(await following).toEqual({ kind: "left" });
    expect({ stops, err: out.err }).toEqual({ stops: 0, err: '\nloadtest: detached; test t1 keeps running; follow it with "loadtest watch t1"\n' });
  });

  test("a stop the API refuses is said and the follow goes on; a test that ended meanwhile (409, or a conflict in-process) is silent", async () => {
    for (const [error, said] of [
      [new CliError("unauthorized", 1, [], 401), "loadtest: could not stop test t1: unauthorized\n"],
      [new CliError("test t1 has already ended (done)", 1, [], 409), ""],
      // loadtest run: the in-process orchestrator's own errors.
      [new OrchestratorError("conflict", "test t1 has already ended (done)"), ""],
      [new OrchestratorError("unavailable", "could not publish the stop: broker down"), "loadtest: could not stop test t1: could not publish the stop: broker down\n"],
    ] as const) {
      const events = eventStream();
      const keys = keyboard();
      const out = output();
      const following = followInterruptibly(events, { testId: "t1", out, quiet: true, detach: false, onInterrupt: keys.onInterrupt, requestStop: () => Promise.reject(error) });
      keys.press();
      await tick();
      events.push({ kind: "final", test: testView() });
      expect((await following).kind).toBe("final");
      expect(out.err.replace("\nloadtest: stopping test t1 (Ctrl-C again to leave without waiting)\n", "")).toBe(said);
    }
  });
});

describe("exit codes and summary of a stopped test", () => {
  test("130 after Ctrl-C, 99 for a threshold abort (even after Ctrl-C), 1 for a stop by someone else", () => {
    const aborted = testView({
      state: "stopped",
      stop: { requested_at: 3_000, reason: "abort_on errors>10% held", grace_ms: 2000, by: "threshold", threshold: { expression: "errors>10%", observed: 48.5, window_s: 2 }, unconfirmed: [] },
    });
    const out = output();
    expect([finish(stopped, [], out, false, true), finish(aborted, [], out, false, true), finish(aborted, [], out, false), finish(stopped, [], out, false)]).toEqual([130, 99, 99, 1]);
    expect(out.err).toContain("loadtest: test 5f1c2a9e-0000-4000-8000-000000000001 aborted: errors>10% held (48.5 over the last 2 s)");
    expect(formatSummary(aborted)).toContain("  stopped by abort_on errors>10% held: 48.5 over the last 2 s (in-flight requests had 2.0 s)");
    // A passing --threshold does not turn a Ctrl-C into success.
    const p = parseThreshold("p99<100000");
    expect(p.ok && finish(stopped, [p.value], out, false, true)).toBe(130);
  });

  test("the summary names the user's reason and the drivers that never confirmed", () => {
    const lines = formatSummary(testView({ state: "stopped", stop: { requested_at: 1, reason: "target falling over", grace_ms: 500, by: "user", unconfirmed: ["d2"] } }));
    expect(lines).toContain("  stopped by user: target falling over (in-flight requests had 500 ms)\n  no final report after the stop from d2\n");
  });
});
