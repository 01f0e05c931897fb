import { Socket } from "node:net";

/** Leaders of the partitions a bus consumes, and where each broker listens. */
export interface LeaderMetadata {
  /** One entry per partition: the leader's node id, -1 while it has none. */
  leaders: number[];
  /** host:port of each broker the cluster lists, by node id. */
  brokers: Map<number, string>;
}

/** What a {@link LeaderWatch} needs: the metadata, a reachability probe, a clock. */
export interface LeaderWatchDeps {
  metadata(): Promise<LeaderMetadata>;
  /** True when a TCP connection to host:port opens. */
  probe(address: string): Promise<boolean>;
  now?: () => number;
  /** How often to check (ms). */
  intervalMs?: number;
  /** A check that takes longer than this counts as failed (ms). */
  checkTimeoutMs?: number;
}

/** Default check period: half the drivers' heartbeat interval, so an outage is seen within a beat. */
export const LEADER_CHECK_MS = 500;

/**
 * Whether every partition has a leader and every leader answers. A partition whose leader was
 * SIGKILLed keeps that leader in the metadata until the controller fences it (the broker
 * session timeout, 6 to 10 s): nothing can be produced to it or fetched from it meanwhile.
 */
export function leadersReachable(metadata: LeaderMetadata, reachable: ReadonlySet<number>): boolean {
  return metadata.leaders.every((leader) => leader >= 0 && reachable.has(leader));
}

/**
 * Watches the leaders of the partitions a consumer reads. While one is gone, the messages
 * produced to its partitions wait in their producers, so silence from the nodes that write
 * there says nothing about those nodes: `healthyThrough()` stops at the last check that found
 * every leader, which holds the orchestrator's liveness as a whole-bus outage does.
 */
export class LeaderWatch {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private healthy = true;
  private lastHealthyAt: number;
  private readonly now: () => number;

  constructor(private readonly deps: LeaderWatchDeps) {
    this.now = deps.now ?? Date.now;
    this.lastHealthyAt = this.now();
  }

  /** Starts checking every interval; idempotent. */
  start(): void {
    if (this.timer !== null || this.stopped) return;
    const loop = async () => {
      await this.check();
      if (!this.stopped) this.timer = setTimeout(loop, this.deps.intervalMs ?? LEADER_CHECK_MS);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops checking. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Epoch ms up to which every leader was there: now while they are, else when they last were. */
  healthyThrough(): number {
    return this.healthy ? this.now() : this.lastHealthyAt;
  }

  /** One check; a failed or slow metadata request counts as leaders missing. */
  async check(): Promise<boolean> {
    const startedAt = this.now();
    let ok = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, this.deps.checkTimeoutMs ?? 3_000, false)));
    try {
      ok = await Promise.race([this.leadersOk(), timedOut]);
    } catch {
      ok = false;
    } finally {
      clearTimeout(timer);
    }
    if (ok) this.lastHealthyAt = startedAt;
    this.healthy = ok;
    return ok;
  }

  private async leadersOk(): Promise<boolean> {
    const metadata = await this.deps.metadata();
    const ids = [...new Set(metadata.leaders.filter((id) => id >= 0))];
    const answers = await Promise.all(ids.map(async (id) => [id, await this.probeId(metadata, id)] as const));
    return leadersReachable(metadata, new Set(answers.filter(([, up]) => up).map(([id]) => id)));
  }

  private probeId(metadata: LeaderMetadata, id: number): Promise<boolean> {
    const address = metadata.brokers.get(id);
    return address === undefined ? Promise.resolve(false) : this.deps.probe(address);
  }
}

/** Opens and closes a TCP connection to host:port; false on refusal or after `timeoutMs`. */
export function tcpProbe(address: string, timeoutMs = 1_000): Promise<boolean> {
  const at = address.lastIndexOf(":");
  const host = address.slice(0, at).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(at + 1));
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => done(true));
  });
}
