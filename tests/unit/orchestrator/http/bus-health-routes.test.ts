import { afterEach, expect, test } from "bun:test";
import { SseParser } from "../../../../src/cli/sse-parser.ts";
import { MemoryBroker, MemoryBus, type DegradedTopic } from "../../../../src/bus/index.ts";
import { silentLogger } from "../../../../src/log.ts";
import { ManualClock } from "../../../../src/orchestrator/clock.ts";
import { createApp } from "../../../../src/orchestrator/http/app.ts";
import { closeEventStreams } from "../../../../src/orchestrator/http/sse.ts";
import { createOrchestrator, type Orchestrator } from "../../../../src/orchestrator/orchestrator.ts";
import { createMemoryStore } from "../../../../src/orchestrator/store.ts";
import { T0 } from "../fixtures.ts";

const MISSING: DegradedTopic = { topic: "metrics", condition: "missing", since: T0, reason: "topic metrics does not exist; recreating it" };

let orchestrator: Orchestrator | undefined;
let bus: MemoryBus | undefined;
afterEach(async () => {
  if (orchestrator) closeEventStreams(orchestrator);
  orchestrator?.stop();
  await bus?.close();
});

async function setup() {
  let degraded: DegradedTopic[] = [];
  const clock = new ManualClock(T0);
  bus = Object.assign(new MemoryBus(new MemoryBroker()), { degradedTopics: () => degraded });
  orchestrator = createOrchestrator({ bus, store: createMemoryStore(), clock, log: silentLogger });
  await orchestrator.start();
  const app = createApp(orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
  return { app, setDegraded: (topics: DegradedTopic[]) => void (degraded = topics) };
}

test("/healthz answers 200 while the bus is healthy and 503 naming the topic, its condition and since when while it is degraded", async () => {
  const { app, setDegraded } = await setup();
  const ok = await app.request("/healthz");
  expect({ status: ok.status, body: await ok.json() }).toEqual({
    status: 200,
    body: { ok: true, status: "ok", bus: { status: "ok", receiving: true, not_receiving_since: null, topics: [], fail_tests_after_ms: 30_000 } },
  });
  setDegraded([MISSING]);
  const bad = await app.request("/healthz");
  expect({ status: bad.status, body: await bad.json() }).toEqual({
    status: 503,
    body: { ok: false, status: "degraded", bus: { status: "degraded", receiving: true, not_receiving_since: null, topics: [MISSING], fail_tests_after_ms: 30_000 } },
  });
});

test("/metrics carries the bus's health and each degraded topic", async () => {
  const { app, setDegraded } = await setup();
  expect(await (await app.request("/metrics")).text()).toContain("\nloadtest_bus_degraded 0\n");
  setDegraded([MISSING]);
  const text = await (await app.request("/metrics")).text();
  expect(text).toContain("\nloadtest_bus_degraded 1\n");
  expect(text).toContain("\nloadtest_bus_receiving 1\n");
  expect(text).toContain('\nloadtest_bus_topic_degraded{topic="metrics",condition="missing"} 1\n');
  expect(text).toContain(`\nloadtest_bus_topic_degraded_since_timestamp_seconds{topic="metrics"} ${T0 / 1000}\n`);
});

test("the dashboard's /events stream starts with the bus's health in its state and sends a bus event when it changes", async () => {
  const { app, setDegraded } = await setup();
  setDegraded([MISSING]);
  const response = await app.request("/events");
  const reader = response.body!.getReader();
  const parser = new SseParser();
  const events: { event: string; data: string }[] = [];
  const next = async () => {
    while (events.length === 0) {
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      events.push(...parser.push(new TextDecoder().decode(value)));
    }
    return events.shift()!;
  };
  const state = await next();
  expect({ event: state.event, bus: JSON.parse(state.data).bus.topics }).toEqual({ event: "state", bus: [MISSING] });
  orchestrator!.tick();
  const changed = await next();
  expect({ event: changed.event, status: JSON.parse(changed.data).status }).toEqual({ event: "bus", status: "degraded" });
  await reader.cancel();
});
