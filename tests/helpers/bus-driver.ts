// The part every fake driver on a MemoryBus shares (integration tests of the orchestrator).
import type { MemoryBus } from "../../src/bus/index.ts";

/**
 * A driver made of test code: registers, beats every 100 ms and, unless `react` is false,
 * accepts every configuration that names it and calls {@link run} when a test is triggered.
 * Subclasses say what a run reports.
 */
export abstract class BusDriver {
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    readonly nodeId: string,
    protected readonly bus: MemoryBus,
    private readonly react = true,
  ) {
    this.timer = setInterval(() => void this.beat(), 100);
  }

  /** Subscribes (when it reacts), registers and sends its first heartbeat. */
  async start(): Promise<void> {
    if (this.react) {
      await this.bus.subscribe("test_config", { mode: { kind: "broadcast" } }, (config) => {
        if (config.drivers?.includes(this.nodeId)) void this.bus.publish("driver_event", { node_id: this.nodeId, test_id: config.test_id, event: "TEST_ACCEPTED" });
      });
      await this.bus.subscribe("trigger", { mode: { kind: "broadcast" } }, (trigger) => void this.run(trigger.test_id));
    }
    await this.bus.publish("register", { node_id: this.nodeId, node_IP: "127.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
    await this.beat();
  }

  private beat(): Promise<void> {
    return this.bus.publish("heartbeat", { node_id: this.nodeId, heartbeat: "YES", timestamp: Date.now() }).catch(() => {});
  }

  /** What the driver reports once `testId` is triggered. */
  protected abstract run(testId: string): Promise<void>;

  /** Stops the heartbeats. */
  stop(): void {
    clearInterval(this.timer);
  }
}
