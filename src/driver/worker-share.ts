/**
 * The body of one send worker (`--workers N`; the entry point is send-worker.ts): runs a share
 * of a test with its own send loop, HTTP pools, pacer, request source and stats, hands a
 * closed window to the main thread when asked (before each of its reports), and its last
 * window with the loop's result when the share ends. A crash hands over what it counted so
 * far, then the worker exits (the main thread reports the reason). The hot path is the
 * in-thread one: the same SendLoop and TestStats. A plan with requests gets its own
 * RequestSource from `hooks` (its `${env:...}` read from this process's environment).
 */
import { systemClock } from "./clock.ts";
import { openHttp1Pool } from "./http1-pool.ts";
import { SendLoop } from "./send-loop.ts";
import { TestStats } from "./test-stats.ts";
import type { ControlMessage, RunShareMessage, WorkerReply } from "./worker-messages.ts";
import type { ScenarioHooks } from "./scenario-hooks.ts";

declare const self: Worker;

let stats: TestStats | null = null;
let loop: SendLoop | null = null;

const reply = (message: WorkerReply) => postMessage(message);

/** The loop's scenario deps for a share: none without requests; a plan with requests and no hooks cannot run. */
function scenarioDeps(message: RunShareMessage, hooks: ScenarioHooks | null) {
  const { plan } = message;
  if (plan.requests === undefined) return {};
  if (hooks === null) throw new Error("this driver build cannot run request scenarios (no scenario module)");
  const requestSource = hooks.createRequestSource(plan, { nodeId: message.nodeId ?? "worker", testId: plan.testId });
  return { requestSource, checkResponse: hooks.checkResponse };
}

function run(message: RunShareMessage, hooks: ScenarioHooks | null): void {
  const clock = systemClock;
  const startMs = message.startEpochMs - performance.timeOrigin;
  stats = new TestStats({
    nodeId: "worker",
    testId: message.plan.testId,
    paced: message.paced,
    startedAtMs: clock.now(),
    epochOffsetMs: performance.timeOrigin,
    keepRaw: message.keepRaw,
    ...(message.plan.requests ? { requestNames: message.plan.requests.map((r) => r.name) } : {}),
  });
  const sink = stats;
  loop = new SendLoop(
    message.plan,
    {
      fetch,
      clock,
      sink,
      ...(message.pooled ? { openHttp: openHttp1Pool } : {}),
      ...(message.maxBodyBytes !== undefined ? { maxBodyBytes: message.maxBodyBytes } : {}),
      ...scenarioDeps(message, hooks),
    },
    startMs,
  );
  if (message.crashAfterMs !== undefined) {
    setTimeout(() => {
      throw new Error(`injected crash of worker ${message.index} (test hook)`);
    }, message.crashAfterMs);
  }
  const running = loop;
  void running.start().then((result) => {
    reply({ type: "done", share: sink.closeShare(true), result, maxInFlight: running.maxInFlight, ...(running.firstError !== undefined ? { firstError: running.firstError } : {}) });
  });
}

/** Serves the main thread's messages in this worker; `hooks` build a scenario's request source and checks. */
export function serveShares(hooks: ScenarioHooks | null): void {
  self.onmessage = (event: MessageEvent<RunShareMessage | ControlMessage>) => {
    const message = event.data;
    if (message.type === "run") run(message, hooks);
    else if (message.type === "window") {
      if (stats !== null) reply({ type: "window", share: stats.closeShare(false) });
    } else if (message.type === "halt") void loop?.halt(message.graceMs);
    else void loop?.stop();
  };

  // An uncaught error ends the worker: what it counted goes to the main thread first.
  self.addEventListener("error", (event: ErrorEvent) => {
    const error = event.error instanceof Error ? event.error.message : event.message;
    reply({ type: "crash", error, ...(stats !== null ? { share: stats.closeShare(false) } : {}) });
  });
}
