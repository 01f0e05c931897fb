import type { Clock } from "./clock.ts";
import type { Outcome } from "./outcome.ts";
import type { OutcomeDetail } from "./scenario/request-spec.ts";
import type { TimeoutGroups } from "./timeout-groups.ts";

/** The part of `fetch` the driver uses (Bun's global fetch fits). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Where the loop reports each send and each outcome; called on the hot path, so keep it lean.
 * The loop passes every argument at every call (`undefined` where there is none): Bun 1.4.5
 * pays ~30–40 ns per call made with fewer arguments than the method declares.
 */
export interface SendSink {
  /**
   * A send started at `startedMs` (monotonic); `dueMs` is its schedule time, NaN when unpaced.
   * `request`: its index in `plan.requests`, for a scenario (undefined without one).
   */
  onSend(startedMs: number, dueMs: number, request?: number): void;
  /**
   * The send ended; latencies run to the end of the body, `dueLatencyMs` from the due time (NaN
   * when unpaced). `bodyTooLarge`: the body passed the cap and was abandoned there (the latency
   * runs to that moment). `detail`: for a scenario's send, which request, its check result and bytes.
   */
  onOutcome(outcome: Outcome, latencyMs: number, dueLatencyMs: number, bodyTooLarge?: boolean, detail?: OutcomeDetail): void;
}

/** What a send path (fetch-send.ts, scenario-send.ts) shares with its {@link SendLoop}. */
export interface SendHost {
  readonly clock: Clock;
  readonly fetch: FetchLike;
  readonly sink: SendSink;
  readonly timeouts: TimeoutGroups;
  /** Longest response body read before it is abandoned. */
  readonly maxBodyBytes: number;
  /** What fetch is given beyond the signal for a plan with `tlsInsecure` (Bun's fetch option). */
  readonly tlsInit: { tls?: { rejectUnauthorized: boolean } };
  /** Frees the send's slot once its outcome is recorded. */
  readonly settled: () => void;
  /** Keeps the first failure's message (one log line per test). */
  noteError(error: unknown): void;
}

/** An error's message, for {@link SendHost.noteError}. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
