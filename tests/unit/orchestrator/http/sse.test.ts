import { describe, expect, spyOn, test } from "bun:test";
import { SseParser } from "../../../../src/cli/sse-parser.ts";
import { createEventHub, type OrchestratorEvent } from "../../../../src/orchestrator/event-hub.ts";
import { formatSse, sseRoutes } from "../../../../src/orchestrator/http/sse.ts";
import type { Orchestrator } from "../../../../src/orchestrator/orchestrator.ts";

describe("SSE framing", () => {
  test("an event is its name, an optional retry, the JSON as data and a blank line, and parses back", () => {
    const text = formatSse("snapshot", { a: "line\nbreak" }, 2000);
    expect(text).toBe('event: snapshot\nretry: 2000\ndata: {"a":"line\\nbreak"}\n\n');
    expect(new SseParser().push(text + formatSse("final", 1))).toEqual([
      { event: "snapshot", data: '{"a":"line\\nbreak"}' },
      { event: "final", data: "1" },
    ]);
  });
});

describe("SSE streams", () => {
  test("let go of the hub when sending the first state throws after subscribing", async () => {
    const events = createEventHub<OrchestratorEvent>();
    const broken = () => {
      throw new Error("store unreadable");
    };
    const orchestrator = { events, snapshots: broken, listNodes: () => [], getTest: () => null, reports: () => [] } as unknown as Orchestrator;
    const app = sseRoutes(orchestrator);
    const before = events.size();
    // Hono's streamSSE (4.13) reports the error on console.error and closes the stream.
    using quiet = spyOn(console, "error").mockImplementation(() => {});
    const response = await app.request("/events");
    await response.text().catch(() => "");
    expect(events.size()).toBe(before);
    expect(quiet).toHaveBeenCalled();
  });
});
