import type { Bus } from "../bus/index.ts";
import type { Logger } from "../log.ts";
import type { Heartbeat } from "../protocol/index.ts";
import type { Clock } from "./clock.ts";
import { HEARTBEAT_INTERVAL_MS, PUBLISH_STALL_WARN_MS } from "./defaults.ts";

export interface HeartbeatOptions {
  bus: Pick<Bus, "publish">;
  clock: Clock;
  log: Logger;
  /** Builds the heartbeat at send time (state and test change between beats). */
  beat: () => Heartbeat;
  /** Partition key (the node id). */
  key: string;
  intervalMs?: number;
  /** A beat neither acknowledged nor failed this long is reported as not published. */
  stallWarnMs?: number;
}

/**
 * Publishes a heartbeat now and then every interval on its own timer (a busy send loop
 * cannot delay it beyond one turn of the event loop). Heartbeats are not queued: while the
 * bus is away a beat is skipped, since a late heartbeat says nothing about liveness now.
 * Returns the function that stops it.
 */
export function startHeartbeat({ bus, clock, log, beat, key, intervalMs = HEARTBEAT_INTERVAL_MS, stallWarnMs = PUBLISH_STALL_WARN_MS }: HeartbeatOptions): () => void {
  let inFlight = false;
  let inFlightSince = 0;
  let failing = false;
  const send = () => {
    if (inFlight) {
      // The producer blocks rather than fails when the cluster takes no writes (no quorum).
      if (!failing && clock.mono() - inFlightSince >= stallWarnMs) {
        log.warn("heartbeat not published", { error: `not acknowledged after ${Math.round(clock.mono() - inFlightSince)} ms` });
        failing = true;
      }
      return;
    }
    inFlight = true;
    inFlightSince = clock.mono();
    bus
      .publish("heartbeat", beat(), key)
      .then(
        () => {
          if (failing) log.info("heartbeats reach the bus again");
          failing = false;
        },
        (err: Error) => {
          if (!failing) log.warn("heartbeat not published", { error: err.message });
          failing = true;
        },
      )
      .finally(() => {
        inFlight = false;
      });
  };
  send();
  return clock.every(intervalMs, send);
}
