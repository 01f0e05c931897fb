import type { Logger } from "../log.ts";
import type { Clock } from "./clock.ts";
import { describeTwin, type DriverInstance, type TwinVerdict } from "./twin-guard.ts";

/** What {@link twinResponse} needs: this process, its log and clock, and how it exits. */
export interface TwinResponseDeps {
  instance: DriverInstance;
  log: Logger;
  clock: Clock;
  heartbeatIntervalMs: number;
  /** Takes the driver out of new tests; false when it already stood down. */
  standDown(): boolean;
  /** main.ts's exit (see DriverOptions.onTwin); unset, `stop` runs instead. */
  onTwin?: (message: string, verdict: TwinVerdict) => void;
  stop(): void;
}

/**
 * Another live process with this node_id: the older one only warns; the younger one takes no
 * more tests at once, keeps beating for two intervals so the orchestrator surely sees both
 * (and keeps the node out of new tests), then exits.
 */
export function twinResponse(deps: TwinResponseDeps): (verdict: TwinVerdict) => void {
  const { instance, log, clock } = deps;
  return (verdict) => {
    const message = describeTwin(instance, verdict);
    if (!verdict.mustExit) return log.warn(message, { other_instance_id: verdict.other.instanceId });
    if (!deps.standDown()) return;
    log.error(message, { instance_id: instance.instanceId, other_instance_id: verdict.other.instanceId });
    clock.setTimeout(() => {
      if (deps.onTwin) deps.onTwin(message, verdict);
      else deps.stop();
    }, 2 * deps.heartbeatIntervalMs);
  };
}
