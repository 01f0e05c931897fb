import { describe, expect, test } from "bun:test";
import { hubEvents } from "../../../src/local/hub-events.ts";
import { createEventHub, type OrchestratorEvent } from "../../../src/orchestrator/event-hub.ts";
import { testView } from "../cli/fixtures.ts";

describe("a test's events from the hub", () => {
  test("keeps what was emitted before the test id was known, skips other tests, ends after the final and lets go", async () => {
    const events = createEventHub<OrchestratorEvent>();
    const stream = hubEvents({ events });
    const mine = testView({ test_id: "mine", state: "running" });
    const other = testView({ test_id: "other", state: "running" });
    events.emit({ type: "test", test_id: "other", snapshot: other, points: [] });
    events.emit({ type: "test", test_id: "mine", snapshot: mine, points: [] });
    stream.setTestId("mine");
    events.emit({ type: "node", event: "joined", node: {} as never });
    events.emit({ type: "test_final", test_id: "other", result: other, points: [] });
    events.emit({ type: "test_final", test_id: "mine", result: { ...mine, state: "done" }, points: [] });
    const seen: string[] = [];
    for await (const event of stream) seen.push(`${event.kind}:${event.test.test_id}:${event.test.state}`);
    expect({ seen, listeners: events.size() }).toEqual({ seen: ["snapshot:mine:running", "final:mine:done"], listeners: 0 });
  });
});
