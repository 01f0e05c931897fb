import type { Bus } from "../bus/index.ts";
import type { Logger } from "../log.ts";

export interface StopRepeaterDeps {
  bus: Pick<Bus, "publish">;
  log: Logger;
  /** A stop for one test goes out at most this often (heartbeat-driven repeats). */
  repeatMs: number;
  /** Entries older than this are forgotten by `prune` (default 60 s). */
  forgetAfterMs?: number;
}

/**
 * Publishes stop commands and remembers when each test's last went out, so the stops that
 * heartbeats provoke (a driver still running a test that is over) are rate-limited per test.
 */
export class StopRepeater {
  private readonly lastAt = new Map<string, number>();

  constructor(private readonly deps: StopRepeaterDeps) {}

  /** Whether a repeated stop for `testId` may go out at `now`. */
  due(testId: string, now: number): boolean {
    const last = this.lastAt.get(testId);
    return last === undefined || now - last >= this.deps.repeatMs;
  }

  /** Publishes the stop and waits for the bus to take it (throws when it cannot). */
  async publishNow(testId: string, reason: string, graceMs: number, now: number): Promise<void> {
    this.lastAt.set(testId, now);
    await this.deps.bus.publish("stop", { test_id: testId, stop: "YES", reason, stop_grace_ms: graceMs, timestamp: now }, testId);
  }

  /** Publishes the stop in the background; a failure is logged (a later heartbeat repeats it). */
  publish(testId: string, reason: string, graceMs: number, now: number): void {
    this.publishNow(testId, reason, graceMs, now).catch((err: unknown) => this.deps.log.error("publishing a stop failed", { test_id: testId, err }));
  }

  /** Forgets tests whose last stop is old, so the map stays small. */
  prune(now: number): void {
    const forgetAfterMs = this.deps.forgetAfterMs ?? 60_000;
    for (const [testId, at] of this.lastAt) if (now - at > forgetAfterMs) this.lastAt.delete(testId);
  }
}
