import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import type { DriverEvent, Heartbeat, MessageOf, MetricsReport, Register, TopicKey } from "../../../src/protocol/index.ts";
import { createCommandSigner } from "../../../src/security/command-signer.ts";
import { createCommandVerifier } from "../../../src/security/command-verifier.ts";
import { createDriverTrustBus } from "../../../src/security/driver-trust-bus.ts";
import type { EdgePolicy } from "../../../src/security/edge-policy.ts";
import { generateKeyPair, importSigningKey, importTrustKey } from "../../../src/security/keys.ts";
import { checkReportMac } from "../../../src/security/report-mac.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeClock } from "../driver/fake-clock.ts";
import { FakeTarget } from "../driver/fake-target.ts";

const REPORT_KEY = new Uint8Array(32).fill(3);

async function setup(options: { verify?: boolean; policy?: EdgePolicy } = {}) {
  const clock = new FakeClock();
  const broker = new MemoryBroker();
  const pair = await generateKeyPair();
  const signer = createCommandSigner(await importSigningKey(pair.privatePem), () => clock.now());
  const seen = { register: [] as Register[], heartbeat: [] as Heartbeat[], metrics: [] as MetricsReport[], driver_event: [] as DriverEvent[] };
  const listener = new MemoryBus(broker);
  for (const topic of Object.keys(seen) as (keyof typeof seen)[]) {
    await listener.subscribe(topic, { mode: { kind: "broadcast" } }, (m: MessageOf<TopicKey>) => void (seen[topic] as unknown[]).push(m));
  }
  const bus = createDriverTrustBus({
    bus: new MemoryBus(broker),
    nodeId: "d1",
    clock,
    ...(options.verify !== false ? { verifier: createCommandVerifier([await importTrustKey(pair.publicPem)]) } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    reportKey: REPORT_KEY,
  });
  const target = new FakeTarget(clock);
  const driver = createDriver({ bus, clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7" });
  await driver.start();
  const orchestrator = new MemoryBus(broker);
  /** Publishes as the orchestrator would (signed unless told not to); returns what went out. */
  const send = async <T extends "test_config" | "trigger">(topic: T, message: MessageOf<T>, sign = true): Promise<MessageOf<T>> => {
    const out = sign ? await signer.sign(topic, message) : message;
    await orchestrator.publish(topic, out);
    return out;
  };
  const events = () => seen.driver_event.map((e) => `${e.test_id}:${e.event}${e.reason ? `:${e.reason}` : ""}`);
  return { clock, seen, bus, target, send, events, orchestrator };
}

const config = (test_id: string, fields: Record<string, unknown> = {}): MessageOf<"test_config"> => ({
  test_id, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 5, target_url: "http://127.0.0.1:8080/ping", ...fields,
});

describe("driver trust bus", () => {
  test("a signed test runs; its reports carry the fleet report MAC and heartbeats say the driver verifies", async () => {
    const { clock, seen, target, send, events } = await setup();
    await send("test_config", config("t1"));
    await send("test_config", config("t1")); // the orchestrator's re-publish before the trigger
    await send("trigger", { test_id: "t1", trigger: "YES" });
    await waitFor("the final report", async () => {
      await clock.advance(100);
      return seen.metrics.some((r) => r.final);
    });
    expect(target.sentAt.length).toBe(5);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t1:TEST_FINISHED"]);
    expect(seen.metrics.map((r) => checkReportMac(REPORT_KEY, r))).toEqual(seen.metrics.map(() => "ok"));
    expect(seen.register[0]?.verifies_signatures).toBe(true);
    expect(seen.heartbeat.every((h) => h.verifies_signatures === true)).toBe(true);
  });

  test("unsigned, foreign-key and altered commands never reach the driver: no request, each refusal reported by reason", async () => {
    const { clock, target, send, events, bus, orchestrator } = await setup();
    await send("test_config", config("forged"), false);
    await send("trigger", { test_id: "forged", trigger: "YES" }, false);
    const foreign = createCommandSigner(await importSigningKey((await generateKeyPair()).privatePem), () => clock.now());
    await orchestrator.publish("trigger", await foreign.sign("trigger", { test_id: "foreign", trigger: "YES" }));
    const signed = await send("test_config", config("altered"));
    await orchestrator.publish("test_config", { ...signed, target_url: "http://127.0.0.1:9999/elsewhere" });
    await orchestrator.publish("trigger", { test_id: "altered", trigger: "YES" });
    await waitFor("every refusal and the one accept", () => events().length >= 6);
    expect(events()).toEqual([
      "forged:COMMAND_REJECTED:unsigned",
      "forged:COMMAND_REJECTED:unsigned",
      "foreign:COMMAND_REJECTED:unknown_key",
      "altered:TEST_ACCEPTED",
      "altered:COMMAND_REJECTED:bad_signature",
      "altered:COMMAND_REJECTED:unsigned",
    ]);
    expect(bus.rejectedCommands()).toEqual({ unsigned: 3, unknown_key: 1, bad_signature: 1 });
    await clock.advance(35_000);
    expect(target.sentAt.length).toBe(0);
  });

  test("a replayed trigger, and its configuration replayed after the trigger hold, are refused: the real test ran once", async () => {
    const { clock, seen, target, send, events, orchestrator } = await setup();
    const signedConfig = await send("test_config", config("t1"));
    const signedTrigger = await send("trigger", { test_id: "t1", trigger: "YES" });
    await waitFor("the final report", async () => {
      await clock.advance(100);
      return seen.metrics.some((r) => r.final);
    });
    await clock.advance(31_000);
    const before = events().length;
    await orchestrator.publish("test_config", signedConfig);
    await orchestrator.publish("trigger", signedTrigger);
    await waitFor("two replay refusals", () => events().length >= before + 2);
    expect(events().slice(before)).toEqual(["t1:COMMAND_REJECTED:replay", "t1:COMMAND_REJECTED:replay"]);
    await clock.advance(2_000);
    expect(target.sentAt.length).toBe(5);
  });

  test("a configuration outside the edge policy is TEST_REJECTED naming the rule and its trigger starts nothing", async () => {
    const { clock, seen, target, send } = await setup({ verify: false, policy: { allowTargets: ["127.0.0.1"], maxRps: 100 } });
    await send("test_config", config("far", { target_url: "http://10.9.9.9/x", target_throughput: 10 }), false);
    await send("test_config", config("fast", { target_throughput: 500 }), false);
    await send("test_config", config("other-driver", { target_url: "http://10.9.9.9/x", drivers: ["d2"] }), false);
    await send("trigger", { test_id: "far", trigger: "YES" }, false);
    await send("trigger", { test_id: "fast", trigger: "YES" }, false);
    await waitFor("two rejections", () => seen.driver_event.length >= 2);
    await clock.advance(35_000);
    expect(target.sentAt.length).toBe(0);
    expect(seen.driver_event.map((e) => [e.test_id, e.event, e.issues?.map((i) => i.path)])).toEqual([
      ["far", "TEST_REJECTED", ["target_url"]],
      ["fast", "TEST_REJECTED", ["target_throughput"]],
    ]);
    expect(seen.driver_event[0]?.error).toContain("outside this driver's --allow-target (127.0.0.1)");
    expect(seen.heartbeat.at(-1)?.verifies_signatures).toBe(false);
  });
});
