import type { Bus } from "../bus/index.ts";
import type { Logger } from "../log.ts";
import type { ClockMessage } from "../protocol/index.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import { TWIN_WATCH_FALLBACK_MS } from "./defaults.ts";
import { watchForTwins, type TwinDetector, type TwinVerdict } from "./twin-guard.ts";

/** What a {@link TwinWatch} needs. */
export interface TwinWatchDeps {
  bus: Pick<Bus, "subscribe">;
  clock: Clock;
  log: Logger;
  detector: TwinDetector;
  onTwin(verdict: TwinVerdict): void;
  /** How long to wait for an orchestrator that lists conflicts before reading heartbeats (default TWIN_WATCH_FALLBACK_MS). */
  fallbackMs?: number;
}

/**
 * Finds another live process with this driver's node_id. The orchestrator lists the conflicts
 * it sees in each clock message (`twins`), so a driver needs to read nothing more than that
 * (reading every heartbeat of the fleet was most of an idle fleet's CPU). A driver that hears
 * no clock message with `twins` within `fallbackMs` of its start (no orchestrator yet, or one
 * from before the field) reads the fleet's heartbeats itself, as before, for as long as it runs.
 */
export class TwinWatch {
  private timer: TimerHandle | null = null;
  private orchestratorWatches = false;
  private watchingBeats = false;
  private stopped = false;

  constructor(private readonly deps: TwinWatchDeps) {}

  /** Arms the fallback (call once the driver is subscribed to its clock messages). */
  start(): void {
    if (this.stopped || this.orchestratorWatches || this.timer !== null) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      void this.watchBeats();
    }, this.deps.fallbackMs ?? TWIN_WATCH_FALLBACK_MS);
  }

  /** A clock message from the orchestrator (already verified when the driver checks signatures). */
  onClock(message: Pick<ClockMessage, "twins">): void {
    if (message.twins === undefined || this.stopped) return;
    if (!this.orchestratorWatches) {
      this.orchestratorWatches = true;
      this.cancelTimer();
    }
    for (const verdict of this.deps.detector.fromTwins(message.twins)) this.deps.onTwin(verdict);
  }

  /** Whether this driver reads the fleet's heartbeats itself (the fallback). */
  get readsHeartbeats(): boolean {
    return this.watchingBeats;
  }

  /** Disarms the fallback; a heartbeat subscription already made ends with the bus. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private async watchBeats(): Promise<void> {
    if (this.stopped || this.orchestratorWatches || this.watchingBeats) return;
    this.watchingBeats = true;
    this.deps.log.info("no orchestrator lists node id conflicts: watching the fleet's heartbeats for a twin", { after_ms: this.deps.fallbackMs ?? TWIN_WATCH_FALLBACK_MS });
    try {
      await watchForTwins(this.deps.bus, this.deps.detector, (verdict) => this.deps.onTwin(verdict));
    } catch (err) {
      this.watchingBeats = false;
      if (this.stopped) return;
      this.deps.log.warn("could not watch the fleet's heartbeats for a twin; trying again later", { error: (err as Error).message });
      this.start();
    }
  }
}
