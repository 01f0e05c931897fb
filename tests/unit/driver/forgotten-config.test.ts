import { expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import { ACCEPTED_PLANS_KEPT } from "../../../src/driver/defaults.ts";
import type { DriverEvent, MessageOf } from "../../../src/protocol/index.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

/** A driver on a memory bus under a fake clock, with the orchestrator's side of the bus and every driver event. */
async function setup() {
  const clock = new FakeClock();
  const broker = new MemoryBroker();
  const orchestrator = new MemoryBus(broker);
  const seen: DriverEvent[] = [];
  await orchestrator.subscribe("driver_event", { mode: { kind: "broadcast" } }, (m) => void seen.push(m));
  const target = new FakeTarget(clock);
  const driver = createDriver({ bus: new MemoryBus(broker), clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7" });
  await driver.start();
  await settle();
  const eventsOf = (testId: string) => seen.filter((e) => e.test_id === testId).map((e) => e.event);
  return { clock, orchestrator, target, seen, eventsOf };
}

const config = (test_id: string, fields: Record<string, unknown> = {}): MessageOf<"test_config"> => ({
  test_id, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 3, target_url: "http://target/ping", ...fields,
});

/** Configures `old`, then ACCEPTED_PLANS_KEPT newer tests, so the driver forgets `old`. */
async function forget(orchestrator: MemoryBus, clock: FakeClock): Promise<void> {
  await orchestrator.publish("test_config", config("old"));
  for (let i = 0; i < ACCEPTED_PLANS_KEPT; i++) await orchestrator.publish("test_config", config(`new-${i}`));
  await clock.advance(10);
}

test("a trigger for a configuration forgotten after 32 newer ones is refused with the reason soon after its start time, not held for 30 s", async () => {
  const { clock, orchestrator, target, seen, eventsOf } = await setup();
  await forget(orchestrator, clock);
  await orchestrator.publish("trigger", { test_id: "old", trigger: "YES", start_at: clock.now() + 250 });
  await clock.advanceUntil(() => eventsOf("old").includes("TEST_REJECTED"), 10, 5_000);
  const rejected = seen.find((e) => e.test_id === "old" && e.event === "TEST_REJECTED")!;
  expect({ events: eventsOf("old"), sent: target.sentAt.length, error: rejected.error }).toEqual({
    events: ["TEST_ACCEPTED", "TEST_REJECTED"],
    sent: 0,
    error: expect.stringContaining(`forgot the configuration after ${ACCEPTED_PLANS_KEPT} newer tests`),
  });
});

test("a forgotten configuration sent again with its trigger runs exactly, whichever of the two arrives first", async () => {
  const { clock, orchestrator, target, eventsOf } = await setup();
  await forget(orchestrator, clock);
  // The trigger first (the configuration's topic read a little later), then the configuration again.
  await orchestrator.publish("trigger", { test_id: "old", trigger: "YES", start_at: clock.now() + 250 });
  await clock.advance(100);
  await orchestrator.publish("test_config", config("old"));
  await clock.advanceUntil(() => eventsOf("old").includes("TEST_FINISHED"), 10, 10_000);
  expect({ events: eventsOf("old"), sent: target.sentAt.length }).toEqual({ events: ["TEST_ACCEPTED", "TEST_ACCEPTED", "TEST_STARTED", "TEST_FINISHED"], sent: 3 });
});

test("a trigger for a test configured for other drivers is ignored, without an answer", async () => {
  const { clock, orchestrator, seen } = await setup();
  await orchestrator.publish("test_config", config("theirs", { drivers: ["d2"] }));
  await orchestrator.publish("trigger", { test_id: "theirs", trigger: "YES" });
  await clock.advance(40_000);
  expect(seen).toEqual([]);
});
