import type { RunPlan } from "./run-plan.ts";
import type { SendLoopResult } from "./send-loop.ts";
import type { ShareWindow } from "./test-stats.ts";

/**
 * The messages between a driver's main thread and its send workers (`--workers`), one
 * structured-clone object each. Internal to one process: never on the bus.
 */

/** Main → worker: run this share. Times are epoch ms (each thread has its own monotonic origin). */
export interface RunShareMessage {
  type: "run";
  index: number;
  /** The driver's node id (a scenario's `${node_id}`); the plan carries its requests and data. */
  nodeId?: string;
  plan: RunPlan;
  /** When the share's loop begins, epoch ms with sub-ms precision (performance.timeOrigin based). */
  startEpochMs: number;
  /** Whether http and https targets go through the HTTP/1.1 pool (else every request through fetch). */
  pooled: boolean;
  maxBodyBytes?: number;
  /** Whether sends have due times (TSUNAMI). */
  paced: boolean;
  keepRaw: boolean;
  /** Test hook: the worker throws from a timer this long after it began (see WorkerFault). */
  crashAfterMs?: number;
}

/**
 * Main → worker: a stop (`halt` with a grace, or a clean `stop` that lets requests in flight
 * end), or `window`: close the current window and hand it over (before each 1 s report).
 */
export type ControlMessage = { type: "stop" } | { type: "halt"; graceMs: number } | { type: "window" };

/** Worker → main: a closed window (answering `window`); `done` is the last one, with how the loop ended; `crash` a worker's last word. */
export type WorkerReply =
  | { type: "window"; share: ShareWindow }
  | { type: "done"; share: ShareWindow; result: SendLoopResult; maxInFlight: number; firstError?: string }
  | { type: "crash"; error: string; share?: ShareWindow };
