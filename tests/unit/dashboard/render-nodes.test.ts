import { describe, expect, test } from "bun:test";
import { NODES_SHOWN, renderNodes } from "../../../src/dashboard/client/render.ts";
import type { NodeView } from "../../../src/orchestrator/registry.ts";

const node = (node_id: string, extra: Partial<NodeView> = {}): NodeView => ({
  node_id,
  node_IP: "10.0.0.2",
  version: null,
  status: "alive",
  status_since: 0,
  first_seen_at: 0,
  last_heartbeat_at: 0,
  driver_state: "idle",
  current_test_id: null,
  last_test_id: null,
  requests_sent: 0,
  history: [],
  ...extra,
});

describe("the drivers panel", () => {
  test("flags a node run by two processes, naming both instances", () => {
    const html = renderNodes([node("d1", { conflict: { instances: ["aaa", "bbb"], since: 0, last_seen_at: 0 } }), node("d2")], 0);
    expect(html.match(/class="node-conflict"[^>]*>([^<]*)</)?.[1]).toBe("CONFLICT: 2 processes (aaa, bbb)");
    expect(html.split("node-conflict").length).toBe(2);
  });

  test("shows at most NODES_SHOWN nodes, live first, and says how many more there are", () => {
    const many = Array.from({ length: 1_000 }, (_, i) => node(`dead-${String(i).padStart(4, "0")}`, { status: "dead" }));
    const html = renderNodes([...many, node("zz-live")], 0);
    expect((html.match(/data-node=/g) ?? []).length).toBe(NODES_SHOWN);
    expect(html).toContain('data-node="zz-live"');
    expect(html).toContain("and 801 more not shown");
  });
});
