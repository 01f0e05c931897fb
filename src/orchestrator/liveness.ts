// The one judge of "when is it now, for liveness": every silence-based decision (a node dead,
// a participant stalled, a summary-only driver finished) is taken at the time this returns.
// Pure: the caller passes `now` and what its bus has delivered; no timers, no IO.

/** What the judge needs of the orchestrator's options. */
export interface LivenessOptions {
  /** The bus is taken to be down once it has received nothing for this long. */
  busStaleMs: number;
  /** Longest time after the bus receives again during which silence is still excused. */
  busRecoveryGraceMs: number;
}

/** A change the judge saw in the bus: it stopped receiving, or it receives again. */
export type LivenessChange =
  | { kind: "outage"; last_received_at: number }
  | { kind: "recovered"; outage_ms: number; grace_ms: number };

/** What one observation found: the time liveness is judged at, and any change in the bus. */
export interface LivenessJudgement {
  /** The moment silences are measured to: `now`, or the moment receiving stopped. */
  at: number;
  change: LivenessChange | null;
}

/**
 * Liveness is judged only on what the orchestrator could have received: as of the moment up
 * to which its bus has received everything (`receivedThrough`, a fetch ago while the broker
 * is up). While the bus receives nothing for `busStaleMs` that moment stands still, so no node
 * dies and no test stalls for the silence. Once it receives again, silence is excused for as
 * long as the outage lasted (at most `busRecoveryGraceMs`): drivers whose producers reconnect
 * a little later are not declared dead. The tick, test views, snapshots and `getTest` all ask
 * this one judge, so they never disagree about a test during an outage.
 */
export class Liveness {
  private since: number | null = null;
  private graceUntil = 0;

  constructor(private readonly options: LivenessOptions) {}

  /** Observes the bus at `now` (`receivedThrough`: the bus has delivered everything sent before it). */
  judge(now: number, receivedThrough: number = now): LivenessJudgement {
    const through = Math.min(now, receivedThrough);
    if (now - through > this.options.busStaleMs) {
      if (this.since !== null) return { at: this.since, change: null };
      this.since = through;
      return { at: through, change: { kind: "outage", last_received_at: through } };
    }
    if (this.since === null) return { at: through, change: null };
    const outage_ms = now - this.since;
    const grace_ms = Math.min(outage_ms, this.options.busRecoveryGraceMs);
    this.since = null;
    this.graceUntil = now + grace_ms;
    return { at: through, change: { kind: "recovered", outage_ms, grace_ms } };
  }

  /** Since when the bus has received nothing, or null while it receives. */
  get outageSince(): number | null {
    return this.since;
  }

  /** Whether silent nodes may be declared suspect or dead at `now`: not during an outage or its grace. */
  maySweep(now: number): boolean {
    return this.since === null && now >= this.graceUntil;
  }
}
