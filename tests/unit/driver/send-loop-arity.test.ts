import { describe, expect, test } from "bun:test";
import type { RunPlan } from "../../../src/driver/run-plan.ts";
import type { RequestSource, SendSpec } from "../../../src/driver/scenario/request-spec.ts";
import { SendLoop, type SendSink } from "../../../src/driver/send-loop.ts";
import { FakeClock } from "./fake-clock.ts";
import { FakePool } from "./fake-pool.ts";
import { FakeTarget } from "./fake-target.ts";

// Bun 1.4.5 pays ~30–40 ns per call when a method gets fewer arguments than it declares, so
// the send loop passes every argument to its sink on every path (undefined where there is none).

const plan = (fields: Partial<RunPlan> = {}): RunPlan => ({
  testId: "t1", mode: "AVALANCHE", url: "http://target/ping", count: 6, delayMs: 0, concurrency: 2, timeoutMs: 10_000, ...fields,
});

/** Keeps how many arguments each call got. */
class ArgCountSink implements SendSink {
  readonly sendArgs: number[] = [];
  readonly outcomeArgs: number[] = [];
  onSend(_startedMs: number, _dueMs: number, _request?: number): void {
    this.sendArgs.push(arguments.length);
  }
  onOutcome(): void {
    this.outcomeArgs.push(arguments.length);
  }
}

async function run(deps: (clock: FakeClock) => { fetch: FakeTarget["fetch"]; openHttp?: FakePool["open"]; requestSource?: RequestSource }) {
  const clock = new FakeClock();
  const sink = new ArgCountSink();
  const loop = new SendLoop(plan(), { clock, sink, ...deps(clock) }, 0);
  const done = loop.start();
  await clock.advanceUntil(() => sink.outcomeArgs.length === 6);
  expect(await done).toEqual({ sent: 6, stopped: false });
  return { sendArgs: sink.sendArgs, outcomeArgs: sink.outcomeArgs };
}

const every = (n: number) => Array.from({ length: 6 }, () => n);

describe("the send loop calls its sink with every argument", () => {
  test("through the pool (the plain GET's hot path)", async () => {
    expect(await run((clock) => ({ fetch: new FakeTarget(clock).fetch, openHttp: new FakePool(clock).open }))).toEqual({ sendArgs: every(3), outcomeArgs: every(5) });
  });

  test("through fetch, when no pool serves the URL", async () => {
    expect(await run((clock) => ({ fetch: new FakeTarget(clock).fetch }))).toEqual({ sendArgs: every(3), outcomeArgs: every(5) });
  });

  test("when a scenario's request source throws (each send counted a failure)", async () => {
    const source: RequestSource = {
      requests: [],
      next(): SendSpec {
        throw new Error("boom");
      },
    } as unknown as RequestSource;
    expect(await run((clock) => ({ fetch: new FakeTarget(clock).fetch, requestSource: source }))).toEqual({ sendArgs: every(3), outcomeArgs: every(5) });
  });
});
