// A driver made of test code for the per-request figures (issue 11): its reports come from the
// driver's own TestStats with a two-request scenario, over a MemoryBus.
import type { MemoryBus } from "../../src/bus/index.ts";
import { TestStats } from "../../src/driver/test-stats.ts";
import { BusDriver } from "./bus-driver.ts";

/** The scenario's request names, in plan order. */
export const SCENARIO_NAMES = ["ping", "create"];

/**
 * A driver made of test code: registers, beats, accepts every configuration and, when
 * triggered, reports `windows` windows built by the driver's own TestStats with a scenario of
 * two requests: each window `ping` responses (10..14 ms) and `create` responses (a 500
 * failing its checks every `failEvery`-th), the last report final.
 */
export class ScenarioDriver extends BusDriver {
  constructor(
    nodeId: string,
    bus: MemoryBus,
    readonly plan: { windows: number; ping: number; create: number; failEvery: number; react?: boolean },
  ) {
    super(nodeId, bus, plan.react !== false);
  }

  protected async run(testId: string): Promise<void> {
    const stats = new TestStats({ nodeId: this.nodeId, testId, paced: false, startedAtMs: Date.now(), epochOffsetMs: Date.now() - performance.now(), requestNames: SCENARIO_NAMES });
    for (let sequence = 0; sequence < this.plan.windows; sequence++) {
      for (let i = 0; i < this.plan.ping; i++) {
        stats.onSend(performance.now(), NaN, 0);
        stats.onOutcome("status_2xx", 10 + (i % 5), NaN, false, { request: 0, bytesSent: 50, bytesReceived: 100 });
      }
      for (let i = 0; i < this.plan.create; i++) {
        const fail = i % this.plan.failEvery === 0;
        stats.onSend(performance.now(), NaN, 1);
        stats.onOutcome(fail ? "status_5xx" : "status_2xx", 100 + (i % 5), NaN, false, {
          request: 1,
          bytesSent: 1000,
          bytesReceived: 20,
          ...(fail ? { checkFailure: `status 500 not in [201] (${this.nodeId})` } : {}),
        });
      }
      await this.bus.publish("metrics", stats.report(Date.now(), sequence === this.plan.windows - 1));
    }
  }
}
