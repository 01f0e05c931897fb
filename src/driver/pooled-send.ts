import type { RequestDone } from "./http-pool.ts";
import type { TimeoutGroup } from "./timeout-groups.ts";

/** What a {@link PooledSend}'s callback hands back to its send loop when the pool ends the request. */
export type PooledEnd = (send: PooledSend, status: number, error: unknown, bodyTooLarge: boolean | undefined) => void;

/**
 * One request in flight on the connection pool: its start and due times, its timeout group and
 * the callback the pool calls once when it ends. The send loop keeps the ended ones on a free
 * list and reuses them (at most `concurrency` exist), so a request allocates no closure and no
 * state object of its own on the hot path (issue 16: per-request garbage at 50k+ req/s).
 */
export class PooledSend {
  startedMs = 0;
  dueMs = 0;
  timeout: TimeoutGroup | null = null;
  /** Handed to `pool.send`; called once per request, after which the loop may reuse this object. */
  readonly done: RequestDone;

  constructor(end: PooledEnd) {
    this.done = (status, error, bodyTooLarge) => end(this, status, error, bodyTooLarge);
  }
}
