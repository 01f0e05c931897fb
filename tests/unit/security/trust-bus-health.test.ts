import { expect, test } from "bun:test";
import { MemoryBus, type Bus, type DegradedTopic } from "../../../src/bus/index.ts";
import { createDriverTrustBus } from "../../../src/security/driver-trust-bus.ts";
import { createOrchestratorTrustBus } from "../../../src/security/orchestrator-trust-bus.ts";
import { SecurityCounters } from "../../../src/security/security-counters.ts";

const degraded: DegradedTopic[] = [{ topic: "metrics", condition: "missing", since: 1_000, reason: "topic metrics does not exist" }];

/** A memory bus that reports a degraded topic and a receive horizon, as the Kafka bus does. */
function unhealthyBus(): Bus {
  const bus = new MemoryBus();
  return Object.assign(bus, { receivedThrough: () => 42, degradedTopics: () => degraded });
}

test("the trust buses report the wrapped bus's degraded topics and receive horizon, so /healthz still sees a deleted topic", async () => {
  const orchestratorBus = createOrchestratorTrustBus({ bus: unhealthyBus(), counters: new SecurityCounters() });
  const driverBus = createDriverTrustBus({ bus: unhealthyBus(), nodeId: "d1" });
  for (const bus of [orchestratorBus, driverBus]) {
    expect({ degraded: bus.degradedTopics?.(), through: bus.receivedThrough?.() }).toEqual({ degraded, through: 42 });
    await bus.close();
  }
});
