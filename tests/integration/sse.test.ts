import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Hono } from "hono";
import { SseParser, type SseEvent } from "../../src/cli/sse-parser.ts";
import { MemoryBus } from "../../src/bus/index.ts";
import { createDriver } from "../../src/driver/driver.ts";
import type { SeriesPoint, TestSeries } from "../../src/orchestrator/series.ts";
import { closeEventStreams, sseRoutes } from "../../src/orchestrator/http/sse.ts";
import type { NodeView } from "../../src/orchestrator/registry.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import { waitFor } from "../helpers/wait.ts";
import { finalOf, runTest, startHarness, startTest, type Harness } from "./local-harness.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5 (the default stays 5 s, hooks included);
// this bounds each test and hook of the file. Every wait inside is bounded on its own too.
setDefaultTimeout(60_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ drivers: 2 });
});
afterAll(async () => {
  await h?.close();
});

/** Reads SSE events from a response until `until` says stop (or the stream ends). */
async function readEvents(response: Response, until: (event: SseEvent, all: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = response.body!.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return events;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        events.push(event);
        if (until(event, events)) return events;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

const listeners = () => h.fleet.orchestrator.events.size();

describe("GET /tests/:id/events", () => {
  test("streams a snapshot a second while the test runs, then the final result, and lets go of the hub", async () => {
    const before = listeners();
    // 2 drivers x 250 requests, one every 20 ms: about 5 s of sending, so at least two of the
    // one-a-second snapshots fall inside the run however late a loaded machine fires them.
    const created = await startTest(h, { test_type: "TSUNAMI", message_count_per_driver: 250, test_message_delay: 20 });
    const response = await h.app.request(`/tests/${created.test_id}/events`);
    expect({ status: response.status, type: response.headers.get("content-type") }).toEqual({ status: 200, type: "text/event-stream" });
    expect(listeners()).toBe(before + 1);
    const events = await readEvents(response, (e) => e.event === "final");
    const snapshots = events.filter((e) => e.event === "snapshot").map((e) => JSON.parse(e.data) as { test: TestView; points: SeriesPoint[] });
    const final = JSON.parse(events.at(-1)!.data) as { test: TestView; series: TestSeries };

    const running = snapshots.filter((s) => s.test.state === "running");
    expect(running.length).toBeGreaterThanOrEqual(2);
    const sent = running.map((s) => s.test.metrics.counts.sent);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(sent.at(-1)!).toBeGreaterThan(sent[0]!);
    const last = running.at(-1)!;
    expect(last.test.per_driver.map((d) => d.node_id).sort()).toEqual(["local-1", "local-2"]);
    expect(last.points.length).toBeGreaterThan(0);
    expect(Object.keys(last.test.metrics.errors).sort()).toEqual(["connection_error", "status_4xx", "status_5xx", "timeout", "total"]);

    const rest = (await (await h.app.request(`/tests/${created.test_id}`)).json()) as TestView;
    expect(final.test).toEqual(rest);
    expect(final.test.metrics.counts.completed).toBe(500);
    const seriesSent = final.series.points.reduce((sum, p) => sum + p.total.sent, 0);
    expect(seriesSent).toBe(500);
    await waitFor("the hub listener to go", () => listeners() === before);
  });

  test("a client connecting mid-test first gets the current state; one that disconnects costs nothing", async () => {
    using server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: h.app.fetch });
    // 6 s of sending: the client connects after the first reports (about 1 s in), well before the end.
    const created = await startTest(h, { test_type: "TSUNAMI", message_count_per_driver: 300, test_message_delay: 20 });
    const final = finalOf(h.fleet, () => created.test_id);
    await waitFor("some requests to be reported", () => (h.fleet.orchestrator.getTest(created.test_id)?.metrics.counts.sent ?? 0) > 50);
    const before = listeners();
    const abort = new AbortController();
    const response = await fetch(`${server.url}tests/${created.test_id}/events`, { signal: abort.signal });
    const [first] = await readEvents(response, () => true);
    const state = JSON.parse(first!.data) as { test: TestView; points: SeriesPoint[] };
    expect({ event: first!.event, state: state.test.state }).toEqual({ event: "snapshot", state: "running" });
    expect(state.test.metrics.counts.sent).toBeGreaterThan(50);
    expect(state.points.length).toBeGreaterThan(0);
    expect(listeners()).toBe(before + 1);
    abort.abort();
    await waitFor("the disconnected client's hub listener to go", () => listeners() === before);
    await final;
  });

  test("an ended test answers with its final event at once and closes; an unknown test is 404", async () => {
    const done = await runTest(h, { test_type: "AVALANCHE", message_count_per_driver: 20 });
    const events = await readEvents(await h.app.request(`/tests/${done.test_id}/events`), () => false);
    expect(events.map((e) => e.event)).toEqual(["final"]);
    expect((JSON.parse(events[0]!.data) as { test: TestView }).test).toEqual(done);
    const missing = await h.app.request("/tests/no-such-test/events");
    expect({ status: missing.status, body: await missing.json() }).toEqual({ status: 404, body: { error: "no test no-such-test", issues: [] } });
  });
});

describe("GET /events", () => {
  test("sends the state, then node joins and leaves and every test's updates", async () => {
    const before = listeners();
    const abort = new AbortController();
    using server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: h.app.fetch });
    const response = await fetch(`${server.url}events`, { signal: abort.signal });
    const events: SseEvent[] = [];
    const reading = readEvents(response, (e, all) => {
      events.push(e);
      return all.some((x) => x.event === "node" && x.data.includes('"left"'));
    });
    await waitFor("the state event", () => events.length > 0);
    const state = JSON.parse(events[0]!.data) as { nodes: NodeView[]; tests: unknown[] };
    expect({ event: events[0]!.event, nodes: state.nodes.map((n) => n.node_id) }).toEqual({ event: "state", nodes: ["local-1", "local-2"] });

    const bus = new MemoryBus(h.fleet.broker);
    const extra = createDriver({ bus, nodeId: "extra-1", nodeIp: "127.0.0.1" });
    await extra.start();
    await waitFor("the join", () => events.some((e) => e.event === "node" && e.data.includes('"joined"') && e.data.includes("extra-1")));
    const done = await runTest(h, { test_type: "TSUNAMI", message_count_per_driver: 120, test_message_delay: 10 });
    await waitFor("the final event", () => events.some((e) => e.event === "final" && e.data.includes(done.test_id)));
    await extra.stop();
    await bus.close();
    await reading;
    const kinds = events.map((e) => e.event);
    expect(kinds).toContain("snapshot");
    const finalEvent = events.find((e) => e.event === "final")!;
    expect((JSON.parse(finalEvent.data) as { test: TestView }).test.metrics.counts.completed).toBe(360);
    abort.abort();
    await waitFor("the hub listener to go", () => listeners() === before);
  });

  test("keeps an idle stream alive with ping comments", async () => {
    const app = new Hono().route("/", sseRoutes(h.fleet.orchestrator, { pingMs: 20 }));
    const response = await app.request("/events");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes(": ping\n\n")) text += decoder.decode((await reader.read()).value, { stream: true });
    await reader.cancel();
    expect(text.startsWith("event: state\nretry: 2000\ndata: ")).toBe(true);
  });

  test("closing the event streams lets a graceful server stop return (an SSE response never ends by itself)", async () => {
    const before = listeners();
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: h.app.fetch });
    const response = await fetch(`${server.url}events`);
    const reader = response.body!.getReader();
    await reader.read();
    expect(listeners()).toBe(before + 1);
    closeEventStreams(h.fleet.orchestrator);
    await server.stop();
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(listeners()).toBe(before);
  });
});
