import { expect, setDefaultTimeout, test } from "bun:test";
import { KafkaBus } from "../../src/bus/index.ts";
import { busContract } from "./bus-contract.ts";
import { requireKafka as kafkaTestBrokers, uniqueTopicPrefix as uniquePrefix } from "../helpers/kafka.ts";

// Starts processes and talks to the real broker: the 5 s default is too short for a cold JVM.
setDefaultTimeout(120_000);

busContract("kafka", async () => {
  const brokers = await kafkaTestBrokers();
  const topicPrefix = uniquePrefix("bus");
  return { bus: async (name) => new KafkaBus({ connection: { brokers, clientId: name, topicPrefix } }) };
});

test("a process that closes its Kafka bus exits by itself: close() leaves no open handles", async () => {
  const brokers = await kafkaTestBrokers();
  const script = `
    import { KafkaBus } from ${JSON.stringify(new URL("../../src/bus/index.ts", import.meta.url).pathname)};
    const bus = new KafkaBus({ connection: { brokers: ${JSON.stringify(brokers)}, clientId: "exit-check", topicPrefix: ${JSON.stringify(uniquePrefix("exit"))} } });
    let got = 0;
    await bus.subscribe("trigger", { mode: { kind: "broadcast" } }, () => { got++; });
    await bus.subscribe("heartbeat", { mode: { kind: "collect", group: "g" } }, () => { got++; });
    await bus.publish("trigger", { test_id: "t", trigger: "YES" });
    while (got === 0) await Bun.sleep(10);
    await bus.close();
    console.log("closed");
  `;
  const proc = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  const code = await proc.exited;
  clearTimeout(killer);
  const out = await new Response(proc.stdout).text();
  expect({ code, signal: proc.signalCode, out: out.trim() }).toEqual({ code: 0, signal: null, out: "closed" });
});
