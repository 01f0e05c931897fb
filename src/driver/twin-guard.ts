import type { Bus } from "../bus/index.ts";
import type { ClockTwin, Heartbeat } from "../protocol/index.ts";
import { TWIN_WATCH_BATCH_MS } from "./defaults.ts";

/** One driver process: its node_id, its random instance id, and when it started (epoch ms). */
export interface DriverInstance {
  nodeId: string;
  instanceId: string;
  startedAt: number;
}

/** Another live process with this driver's node_id, and which of the two must exit. */
export interface TwinVerdict {
  /** The other process. */
  other: { instanceId: string; startedAt: number | null };
  /** True when this process is the younger one and must exit; the older one keeps running. */
  mustExit: boolean;
}

/** A random instance id, new on every start (12 hex digits). */
export function newInstanceId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/**
 * Whether `me` is the younger of two instances: started later, or at the same millisecond
 * with the larger instance id. Both processes compare the same two pairs, so exactly one of
 * them is younger, whatever their clocks say about the present. An instance that gives no
 * start time counts as the older one.
 */
export function isYounger(me: { instanceId: string; startedAt: number }, other: { instanceId: string; startedAt: number | null }): boolean {
  if (other.startedAt === null) return true;
  if (me.startedAt !== other.startedAt) return me.startedAt > other.startedAt;
  return me.instanceId > other.instanceId;
}

/**
 * Watches the fleet's heartbeats for another process using this driver's node_id; pure.
 * It judges only beats that come after this process's own first beat in the stream: the
 * node's beats share a partition (keyed by node_id), so the orchestrator, reading the same
 * partition in the same order, has then seen both instances beat and shows the conflict. A
 * process that crashed and was restarted never beats after its successor's first beat, so a
 * quick restart is not a twin. Beats without `instance_id` (a driver from before it) are
 * ignored, as they were before.
 */
export class TwinDetector {
  private ownBeatSeen = false;
  private readonly reported = new Set<string>();

  constructor(private readonly me: DriverInstance) {}

  /** Looks at one heartbeat; returns a verdict the first time a given other instance is seen beating. */
  observe(beat: Pick<Heartbeat, "node_id" | "instance_id" | "started_at">): TwinVerdict | null {
    if (beat.node_id !== this.me.nodeId || beat.instance_id === undefined) return null;
    if (beat.instance_id === this.me.instanceId) {
      this.ownBeatSeen = true;
      return null;
    }
    if (!this.ownBeatSeen || this.reported.has(beat.instance_id)) return null;
    this.reported.add(beat.instance_id);
    const other = { instanceId: beat.instance_id, startedAt: beat.started_at ?? null };
    return { other, mustExit: isYounger(this.me, other) };
  }

  /**
   * Looks at the orchestrator's list of conflicts (a clock message's `twins`): a verdict for each
   * other instance listed with this process under its node_id, the first time it is listed. The
   * orchestrator lists two instances only once each has beaten after the other's first beat, so a
   * quick restart is no conflict there either; a list without this process is about others.
   */
  fromTwins(twins: readonly ClockTwin[]): TwinVerdict[] {
    const mine = twins.find((t) => t.node_id === this.me.nodeId);
    if (!mine?.instances.some((i) => i.instance_id === this.me.instanceId)) return [];
    const verdicts: TwinVerdict[] = [];
    for (const { instance_id, started_at } of mine.instances) {
      if (instance_id === this.me.instanceId || this.reported.has(instance_id)) continue;
      this.reported.add(instance_id);
      const other = { instanceId: instance_id, startedAt: started_at };
      verdicts.push({ other, mustExit: isYounger(this.me, other) });
    }
    return verdicts;
  }
}

/** The line a younger twin prints before it exits (and the older one logs as a warning). */
export function describeTwin(me: DriverInstance, verdict: TwinVerdict): string {
  const when = (ms: number | null) => (ms === null ? "at an unknown time" : new Date(ms).toISOString());
  const other = `instance ${verdict.other.instanceId}, started ${when(verdict.other.startedAt)}`;
  const self = `instance ${me.instanceId}, started ${when(me.startedAt)}`;
  return verdict.mustExit
    ? `node id "${me.nodeId}" is already used by another running driver (${other}); this driver (${self}) is the newer one and exits. Give each driver its own --node-id.`
    : `another driver started with this node id "${me.nodeId}" (${other}); it is the newer one and exits, this driver (${self}) keeps running.`;
}

/**
 * Subscribes `detector` to every heartbeat of the fleet (broadcast) and calls `onTwin` with each
 * verdict. The beats come in batches of TWIN_WATCH_BATCH_MS: a twin can wait that long, and
 * every driver reading every beat one fetch at a time was most of an idle fleet's load. Used
 * only where no orchestrator lists the conflicts in its clock messages (see twin-watch.ts).
 */
export async function watchForTwins(bus: Pick<Bus, "subscribe">, detector: TwinDetector, onTwin: (verdict: TwinVerdict) => void): Promise<void> {
  await bus.subscribe("heartbeat", { mode: { kind: "broadcast" }, batchMs: TWIN_WATCH_BATCH_MS }, (beat) => {
    const verdict = detector.observe(beat);
    if (verdict) onTwin(verdict);
  });
}
