/**
 * SubscribeOptions.batchMs over the real broker (the twin watch's subscription to the fleet's
 * heartbeats): a batching broadcast subscription still gets every message published after it
 * is live, in order per key, none twice, and within its period plus a margin once publishing stops.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { KafkaBus } from "../../src/bus/index.ts";
import type { MessageOf } from "../../src/protocol/index.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// Talks to the real broker: the 5 s default is too short on a loaded machine. Every wait is bounded.
setDefaultTimeout(120_000);

const buses: KafkaBus[] = [];
afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
});

test("a broadcast subscription with batchMs gets every heartbeat, in order per node, none twice", async () => {
  const brokers = await requireKafka();
  const topicPrefix = uniqueTopicPrefix("batch-sub");
  const publisher = new KafkaBus({ connection: { brokers, clientId: "batch-pub", topicPrefix } });
  const watcher = new KafkaBus({ connection: { brokers, clientId: "batch-watch", topicPrefix } });
  buses.push(publisher, watcher);
  const got: MessageOf<"heartbeat">[] = [];
  await watcher.subscribe("heartbeat", { mode: { kind: "broadcast" }, batchMs: 1_000 }, (beat) => void got.push(beat));

  const nodes = ["n1", "n2", "n3", "n4"];
  const PER_NODE = 10;
  const T0 = Date.now();
  for (let i = 0; i < PER_NODE; i++) {
    await Promise.all(nodes.map((node_id) => publisher.publish("heartbeat", { node_id, heartbeat: "YES", timestamp: T0 + i }, node_id)));
  }
  // One end marker per node, on its key (so its partition) after its beats: once every marker is
  // in, anything delivered twice from before would have come ahead of it.
  const END = T0 + 1_000_000;
  await Promise.all(nodes.map((node_id) => publisher.publish("heartbeat", { node_id, heartbeat: "YES", timestamp: END }, node_id)));
  await waitFor("every node's end marker to arrive", () => got.filter((b) => b.timestamp === END).length === nodes.length, { timeoutMs: 30_000, intervalMs: 50 });
  const beats = got.filter((b) => b.timestamp !== END);
  expect(got).toHaveLength(nodes.length * (PER_NODE + 1));
  expect(beats).toHaveLength(nodes.length * PER_NODE);
  for (const node of nodes) {
    expect(beats.filter((b) => b.node_id === node).map((b) => b.timestamp)).toEqual(Array.from({ length: PER_NODE }, (_, i) => T0 + i));
  }
});
