import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus, type Bus, type Handler, type SubscribeOptions } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import type { ClockMessage, DriverEvent, Heartbeat, MessageOf, TopicKey } from "../../../src/protocol/index.ts";
import { createCommandSigner } from "../../../src/security/command-signer.ts";
import { createCommandVerifier } from "../../../src/security/command-verifier.ts";
import { createDriverTrustBus } from "../../../src/security/driver-trust-bus.ts";
import { generateKeyPair, importSigningKey, importTrustKey } from "../../../src/security/keys.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeClock } from "../driver/fake-clock.ts";
import { FakeTarget } from "../driver/fake-target.ts";

/** A driver that verifies signatures, and a way to answer its latest heartbeat with a clock message (signed or not). */
async function setup() {
  const clock = new FakeClock();
  const broker = new MemoryBroker();
  const pair = await generateKeyPair();
  const signer = createCommandSigner(await importSigningKey(pair.privatePem), () => clock.now());
  const seen = { heartbeat: [] as Heartbeat[], driver_event: [] as DriverEvent[] };
  const listener = new MemoryBus(broker);
  for (const topic of Object.keys(seen) as (keyof typeof seen)[]) {
    await listener.subscribe(topic, { mode: { kind: "broadcast" } }, (m: MessageOf<TopicKey>) => void (seen[topic] as unknown[]).push(m));
  }
  // Counts the clock messages the trust bus has finished with (verification is real async crypto,
  // so the fake clock must not move on before it is done: t4 is stamped after it).
  let handled = 0;
  const inner = new MemoryBus(broker);
  const counting: Bus = {
    publish: (topic, message) => inner.publish(topic, message),
    subscribe: <T extends TopicKey>(topic: T, options: SubscribeOptions, handler: Handler<T>) =>
      inner.subscribe(topic, options, async (message) => {
        await handler(message);
        if (topic === "clock") handled++;
      }),
    publishRaw: (topic, raw) => inner.publishRaw(topic, raw),
    rejected: () => inner.rejected(),
    close: () => inner.close(),
  };
  const bus = createDriverTrustBus({ bus: counting, nodeId: "d1", clock, verifier: createCommandVerifier([await importTrustKey(pair.publicPem)]) });
  const driver = createDriver({ bus, clock, fetch: new FakeTarget(clock).fetch, nodeId: "d1", nodeIp: "10.0.0.7" });
  await driver.start();
  const orchestrator = new MemoryBus(broker);
  /** Publishes a clock message and waits until the driver's trust bus has judged it. */
  const deliver = async (message: ClockMessage) => {
    const before = handled;
    await orchestrator.publish("clock", message);
    await waitFor("the clock message to be judged", () => handled > before);
  };
  /** The clock message answering the latest heartbeat with a 300 ms offset (t2 = t1 + 300 + 2). */
  const answer = async (): Promise<ClockMessage> => {
    await clock.advance(1_000);
    const beat = seen.heartbeat.at(-1)!;
    return { t3: clock.now() + 300, samples: [{ node_id: "d1", t1: beat.timestamp, t2: beat.timestamp + 302 }] };
  };
  const offsetNow = async () => {
    await clock.advance(1_000);
    return seen.heartbeat.at(-1)!.clock_offset_ms;
  };
  return { clock, seen, bus, driver, signer, answer, offsetNow, deliver };
}

describe("the clock topic on a driver that verifies signatures", () => {
  test("accepts one signed clock message after another (the replay rules never refuse them)", async () => {
    const { deliver, signer, answer, offsetNow, bus, driver } = await setup();
    for (let i = 0; i < 3; i++) await deliver(await signer.sign("clock", await answer()));
    expect(await offsetNow()).toBe(301);
    expect(bus.rejectedCommands()).toEqual({});
    await driver.stop();
  });

  test("refuses an unsigned or altered clock message: counted, not answered, the offset not taken from it", async () => {
    const { deliver, signer, answer, offsetNow, bus, seen, driver } = await setup();
    await deliver(await answer());
    const signed = await signer.sign("clock", await answer());
    await deliver({ ...signed, samples: [{ ...signed.samples[0]!, t2: signed.samples[0]!.t2 + 5_000 }] });
    expect(await offsetNow()).toBeUndefined();
    expect(bus.rejectedCommands()).toEqual({ clock_unsigned: 1, clock_bad_signature: 1 });
    expect(seen.driver_event).toEqual([]);
    await driver.stop();
  });
});
