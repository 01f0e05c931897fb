/**
 * Nodes started before their broker (docker compose, a reboot) wait for it, saying so, and
 * work once it is up: nothing exits, nothing has to be restarted by hand.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet } from "../helpers/fleet.ts";
import { uniqueTopicPrefix } from "../helpers/kafka.ts";
import { startTest, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { startPrivateBroker, type PrivateBroker } from "./helpers/private-broker.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook (a cold JVM start).
setDefaultTimeout(300_000);

let broker: PrivateBroker | undefined;
let fleet: Fleet | undefined;

beforeAll(async () => {
  broker = await startPrivateBroker();
  broker.kill();
});

afterAll(async () => {
  await fleet?.stop();
  broker?.destroy();
});

test("an orchestrator and a driver started while the broker is down wait for it, then run a test", async () => {
  fleet = new Fleet({ brokers: [broker!.address], topicPrefix: uniqueTopicPrefix("fault-late-broker") });
  const target = await fleet.target();
  const orchestrator = fleet.spawn("orchestrator", "orchestrator", [
    "--port", "0", "--db", `${fleet.dir}/orchestrator.sqlite`, "--target", `${target.url}/ping`, "--allow-target", "127.0.0.1",
  ]);
  const driver = fleet.driver("late-1");
  await fleet.waitForOutput(orchestrator, /waiting for Kafka/, 90_000);
  await fleet.waitForOutput(driver, /waiting for Kafka/, 90_000);

  await broker!.up();
  const url = (await fleet.waitForOutput(orchestrator, /listening on (http:\/\/\S+)/, 120_000))[1]!;
  await waitForAlive(url, ["late-1"], 90_000);
  const created = await startTest(url, { test_type: "AVALANCHE", message_count_per_driver: 200 });
  const ended = await waitForTestEnd(url, created.test_id, 60_000);
  expect({ state: ended.state, completed: ended.metrics.counts.completed }).toEqual({ state: "done", completed: 200 });
});
