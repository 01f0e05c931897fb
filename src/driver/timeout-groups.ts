import type { Clock, TimerHandle } from "./clock.ts";
import { TIMEOUT_GROUP_MS } from "./defaults.ts";
import { TIMEOUT_REASON } from "./outcome.ts";

/** Requests that started within one slice of time and share one deadline. */
export interface TimeoutGroup {
  /** The init every request of the group passes to fetch (one object, not one per request). */
  readonly init: RequestInit;
  readonly signal: AbortSignal;
  readonly openedMs: number;
  readonly controller: AbortController;
  timer: TimerHandle | null;
  refs: number;
}

function abortGroup(group: TimeoutGroup): void {
  group.timer = null;
  group.controller.abort(TIMEOUT_REASON);
}

/**
 * Request timeouts without an AbortController and a timer per request (in Bun 1.4 those cost
 * microseconds each, a real share of a request at 50k+ req/s): requests that start within the
 * same `groupMs` share one controller, aborted `timeoutMs` after the slice closes. A request
 * is aborted between `timeoutMs` and `timeoutMs + groupMs` after it started, never earlier.
 * A group's timer is cleared as soon as its slice has closed and its last request has ended.
 */
export class TimeoutGroups {
  private current: TimeoutGroup | null = null;
  /** Groups whose timer is armed or whose requests have not all ended (a handful: one per slice in flight). */
  private readonly live = new Set<TimeoutGroup>();
  private readonly groupMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    groupMs = TIMEOUT_GROUP_MS,
  ) {
    // Short timeouts get proportionally finer slices, so their precision stays within 5%.
    this.groupMs = Math.max(0, Math.min(groupMs, timeoutMs / 20));
  }

  /** The group for a request starting at `nowMs`; hand it back to `release` when the request ends. */
  acquire(nowMs: number): TimeoutGroup {
    let group = this.current;
    if (group === null || nowMs >= group.openedMs + this.groupMs || group.controller.signal.aborted) {
      if (group !== null && group.refs === 0) this.dispose(group);
      group = this.open(nowMs);
    }
    group.refs++;
    return group;
  }

  /** A request of `group` has ended (call it in `finally`). */
  release(group: TimeoutGroup, nowMs: number): void {
    group.refs--;
    if (group.refs > 0) return;
    if (group !== this.current) this.dispose(group);
    else if (nowMs >= group.openedMs + this.groupMs) {
      this.dispose(group);
      this.current = null;
    }
  }

  /** Clears the timer of the open group once nothing uses it (the loop has ended). */
  close(): void {
    if (this.current !== null && this.current.refs === 0) this.dispose(this.current);
    this.current = null;
  }

  /** Aborts every request in flight now with `reason` (a stop's grace ran out); per group, never per request. */
  abortAll(reason: string): void {
    for (const group of this.live) {
      if (group.timer !== null) this.clock.clearTimeout(group.timer);
      group.timer = null;
      group.controller.abort(reason);
    }
  }

  private open(nowMs: number): TimeoutGroup {
    const controller = new AbortController();
    const signal = controller.signal;
    const group: TimeoutGroup = { init: { signal, redirect: "manual" }, signal, openedMs: nowMs, controller, timer: null, refs: 0 };
    group.timer = this.clock.setTimeout(abortGroup, this.groupMs + this.timeoutMs, group);
    this.current = group;
    this.live.add(group);
    return group;
  }

  private dispose(group: TimeoutGroup): void {
    if (group.timer !== null) this.clock.clearTimeout(group.timer);
    group.timer = null;
    this.live.delete(group);
  }
}
