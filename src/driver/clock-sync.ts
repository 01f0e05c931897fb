import type { ClockMessage, Heartbeat } from "../protocol/index.ts";
import type { Clock } from "./clock.ts";
import { OffsetFilter, type OffsetEstimate } from "./offset-filter.ts";

/** How long a trigger waits for a first offset estimate before the driver starts on its own clock. */
export const CLOCK_ESTIMATE_WAIT_MS = 3_000;

/**
 * A round trip longer than this is no measurement (a heartbeat answered this late, or an old
 * message replayed); one below minus this means a clock stepped between t1 and t4. Either is dropped.
 */
export const MAX_EXCHANGE_DELAY_MS = 10_000;
const MIN_EXCHANGE_DELAY_MS = -1_000;
/** Heartbeat send times remembered, so a redelivered clock message is not counted twice. */
const USED_SAMPLES_REMEMBERED = 16;

export interface ClockSyncOptions {
  nodeId: string;
  clock: Clock;
  /** Apply the offset to start times (default true); off (`--no-clock-correction`) it is still measured and reported. */
  correction?: boolean;
}

/**
 * This driver's view of the orchestrator's clock: it takes the orchestrator's clock messages
 * (stamping their receive time `t4`), keeps an {@link OffsetFilter} over the exchanges, and
 * converts orchestrator times (a trigger's `start_at`) to local ones. Each sample is used once
 * (a redelivered message is ignored by its heartbeat's `t1`), and a sample whose round trip is
 * impossible (over {@link MAX_EXCHANGE_DELAY_MS}: an old message replayed; well below zero: a
 * clock stepped meanwhile) is dropped. Nothing is compared across messages, so an orchestrator
 * restarted with a clock behind the old one is followed as any step is.
 */
export class ClockSync {
  readonly correction: boolean;
  private readonly filter: OffsetFilter;
  private readonly usedT1: number[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: ClockSyncOptions) {
    this.correction = options.correction ?? true;
    this.filter = new OffsetFilter({ now: () => options.clock.mono() });
  }

  /** A clock message, received at `t4` (this driver's epoch ms); returns the new estimate when it carried a sample for this driver. */
  onMessage(message: ClockMessage, t4: number): OffsetEstimate | null {
    const mine = message.samples.find((s) => s.node_id === this.options.nodeId);
    if (mine === undefined || this.usedT1.includes(mine.t1)) return null;
    const delay = t4 - mine.t1 - (message.t3 - mine.t2);
    if (delay > MAX_EXCHANGE_DELAY_MS || delay < MIN_EXCHANGE_DELAY_MS) return null;
    this.usedT1.push(mine.t1);
    if (this.usedT1.length > USED_SAMPLES_REMEMBERED) this.usedT1.shift();
    const estimate = this.filter.add({ t1: mine.t1, t2: mine.t2, t3: message.t3, t4 });
    for (const wake of [...this.waiters]) wake();
    return estimate;
  }

  /** The best estimate now, or null before the first exchange (or after a long silence). */
  estimate(): OffsetEstimate | null {
    return this.filter.best();
  }

  /** Calls `fn` at the next new estimate; returns the function that cancels it. */
  onEstimate(fn: () => void): () => void {
    const once = () => {
      this.waiters.delete(once);
      fn();
    };
    this.waiters.add(once);
    return () => void this.waiters.delete(once);
  }

  /** The heartbeat's clock fields: the estimate (when there is one) and whether it is applied. */
  heartbeatFields(): Pick<Heartbeat, "clock_offset_ms" | "clock_uncertainty_ms" | "clock_correction"> {
    const estimate = this.estimate();
    return {
      ...(estimate ? { clock_offset_ms: round(estimate.offset_ms), clock_uncertainty_ms: round(estimate.uncertainty_ms) } : {}),
      clock_correction: this.correction,
    };
  }
}

/** Rounded to 0.1 ms: the wire's timestamps are whole milliseconds anyway. */
export const round = (ms: number): number => Math.round(ms * 10) / 10;
