import type { Admin, Kafka } from "kafkajs";
import { LeaderWatch, tcpProbe, type LeaderMetadata } from "./leader-watch.ts";

/** A {@link LeaderWatch} over a kafkajs client: leaders of the topics a bus consumes, with their own admin client. */
export class KafkaLeaderWatch {
  private readonly watch: LeaderWatch;
  private admin: Promise<Admin> | null = null;

  /** `topics` gives the full names of the topics consumed now; checking starts at once. */
  constructor(
    private readonly kafka: Kafka,
    private readonly topics: () => string[],
  ) {
    this.watch = new LeaderWatch({ metadata: () => this.metadata(), probe: (address) => tcpProbe(address) });
    this.watch.start();
  }

  /** Epoch ms of the last check that found every leader up (see {@link LeaderWatch.healthyThrough}). */
  healthyThrough(): number {
    return this.watch.healthyThrough();
  }

  /** Stops checking and lets go of the admin client. */
  stop(): void {
    this.watch.stop();
    void this.admin?.then((a) => a.disconnect()).catch(() => {});
  }

  /** Leaders of every partition consumed, with a fresh metadata request each time. */
  private async metadata(): Promise<LeaderMetadata> {
    const pending = (this.admin ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      return admin;
    })());
    try {
      const admin = await pending;
      const { topics: described } = await admin.fetchTopicMetadata({ topics: this.topics() });
      const { brokers } = await admin.describeCluster();
      return {
        leaders: described.flatMap((t) => t.partitions.map((p) => p.leader)),
        brokers: new Map(brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`])),
      };
    } catch (err) {
      // The next check starts over with a new client (and so another seed broker).
      if (this.admin === pending) this.admin = null;
      void pending.then((a) => a.disconnect()).catch(() => {});
      throw err;
    }
  }
}
