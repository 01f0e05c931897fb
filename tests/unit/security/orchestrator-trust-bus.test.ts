import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { renderMetrics } from "../../../src/orchestrator/http/prometheus.ts";
import type { DriverEvent, MessageOf, MetricsReport, TestConfig } from "../../../src/protocol/index.ts";
import { createCommandSigner } from "../../../src/security/command-signer.ts";
import { createCommandVerifier } from "../../../src/security/command-verifier.ts";
import { generateKeyPair, importSigningKey, importTrustKey } from "../../../src/security/keys.ts";
import { createOrchestratorTrustBus } from "../../../src/security/orchestrator-trust-bus.ts";
import { reportMac } from "../../../src/security/report-mac.ts";
import { SecurityCounters } from "../../../src/security/security-counters.ts";
import { waitFor } from "../../helpers/wait.ts";

const KEY = new Uint8Array(32).fill(9);
const report = (node_id: string): MetricsReport => ({
  node_id, test_id: "t1", report_id: `${node_id}-r1`, metrics: { mean_latency: 1, median_latency: 1, min_latency: 1, max_latency: 1 },
});

describe("orchestrator trust bus", () => {
  test("signs every command it publishes to the drivers, and only those", async () => {
    const pair = await generateKeyPair();
    const broker = new MemoryBroker();
    const bus = createOrchestratorTrustBus({ bus: new MemoryBus(broker), counters: new SecurityCounters(), signer: createCommandSigner(await importSigningKey(pair.privatePem)) });
    const got: { config?: TestConfig; trigger?: MessageOf<"trigger">; event?: DriverEvent } = {};
    const listener = new MemoryBus(broker);
    await listener.subscribe("test_config", { mode: { kind: "broadcast" } }, (m) => void (got.config = m));
    await listener.subscribe("trigger", { mode: { kind: "broadcast" } }, (m) => void (got.trigger = m));
    await listener.subscribe("driver_event", { mode: { kind: "broadcast" } }, (m) => void (got.event = m));
    await bus.publish("test_config", { test_id: "t1", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 1, target_url: "http://127.0.0.1:1/" });
    await bus.publish("trigger", { test_id: "t1", trigger: "YES" });
    await bus.publish("driver_event", { node_id: "d1", test_id: "t1", event: "TEST_ACCEPTED" });
    await waitFor("three messages", () => got.config && got.trigger && got.event);
    const verifier = createCommandVerifier([await importTrustKey(pair.publicPem)]);
    expect(await verifier.verify("test_config", got.config!, Date.now())).toEqual({ ok: true });
    expect(await verifier.verify("trigger", got.trigger!, Date.now())).toEqual({ ok: true });
    expect((got.event as Record<string, unknown>).signature).toBeUndefined();
  });

  test("drops reports without the fleet MAC and takes COMMAND_REJECTED out of the test flow, counting both for /metrics", async () => {
    const broker = new MemoryBroker();
    const counters = new SecurityCounters();
    const bus = createOrchestratorTrustBus({ bus: new MemoryBus(broker), counters, reportKey: KEY });
    const reports: string[] = [];
    const events: string[] = [];
    await bus.subscribe("metrics", { mode: { kind: "collect", group: "o" } }, (r) => void reports.push(r.node_id));
    await bus.subscribe("driver_event", { mode: { kind: "collect", group: "o" } }, (e) => void events.push(e.event));
    const drivers = new MemoryBus(broker);
    await drivers.publish("metrics", { ...report("good"), report_mac: reportMac(KEY, report("good")) });
    await drivers.publish("metrics", report("unsigned"));
    await drivers.publish("metrics", { ...report("forged"), report_mac: reportMac(new Uint8Array(32), report("forged")) });
    await drivers.publish("driver_event", { node_id: "d1", test_id: "x", event: "COMMAND_REJECTED", reason: "bad_signature", topic: "trigger" });
    await drivers.publish("driver_event", { node_id: "d1", test_id: "t1", event: "TEST_ACCEPTED" });
    await waitFor("the accepted event", () => events.length === 1);
    expect({ reports, events, counts: counters.read() }).toEqual({
      reports: ["good"],
      events: ["TEST_ACCEPTED"],
      counts: { commands_rejected: { bad_signature: 1 }, reports_forged: { unsigned: 1, bad_mac: 1 } },
    });
    const text = renderMetrics({ nodes: [], test: null, drops: { bus_rejected: {}, dropped: {} as never }, security: counters.read() });
    expect(text).toContain('loadtest_commands_rejected_total{reason="bad_signature"} 1');
    expect(text).toContain('loadtest_reports_forged_total{reason="bad_mac"} 1');
  });
});
