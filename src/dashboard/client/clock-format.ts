// How a driver's clock offset reads, for the dashboard and `loadtest nodes`.
import type { NodeClock } from "../../orchestrator/node-clock.ts";

/** "+1497 ms ±5" (orchestrator minus driver: + means the driver's clock is behind), "measuring…" before the first estimate, "–" for a driver that does not measure. */
export function formatClock(clock: NodeClock | undefined): string {
  if (!clock) return "–";
  const correction = clock.correction ? "" : " (uncorrected)";
  if (clock.offset_ms === null) return `measuring…${correction}`;
  const sign = clock.offset_ms > 0 ? "+" : clock.offset_ms < 0 ? "−" : "";
  const uncertainty = clock.uncertainty_ms === null ? "" : ` ±${Math.round(clock.uncertainty_ms * 10) / 10}`;
  return `${sign}${Math.abs(Math.round(clock.offset_ms * 10) / 10)} ms${uncertainty}${correction}`;
}
