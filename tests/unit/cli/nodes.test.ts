import { expect, test } from "bun:test";
import { runCommand } from "../../../src/cli/command.ts";
import { nodesCommand } from "../../../src/cli/commands/nodes.ts";

const node = (node_id: string, extra: Record<string, unknown> = {}) => ({
  node_id,
  node_IP: "10.0.0.2",
  version: null,
  status: "alive",
  status_since: 0,
  first_seen_at: 0,
  last_heartbeat_at: Date.now(),
  driver_state: "idle",
  current_test_id: null,
  last_test_id: null,
  requests_sent: 0,
  history: [],
  ...extra,
});

test("nodes flags a node run by two processes and says how many more the page left out", async () => {
  const body = { nodes: [node("d1", { conflict: { instances: ["a", "b"], since: 0, last_seen_at: 0 } }), node("d2")], total: 5, limit: 2, offset: 0 };
  const fakeFetch = (async () => Response.json(body)) as unknown as typeof fetch;
  let stdout = "";
  const code = await runCommand(nodesCommand, [], {
    env: { LOADTEST_URL: "http://127.0.0.1:1" },
    out: { stdout: (t: string) => void (stdout += t), stderr: () => {}, tty: false },
    fetch: fakeFetch,
  });
  expect(code).toBe(0);
  expect(stdout).toMatch(/^d1\s+alive, CONFLICT: 2 processes\s/m);
  expect(stdout).toMatch(/^d2\s+alive\s/m);
  expect(stdout).toContain("2 alive of 2\n(3 more not shown: live drivers come first)\n");
});
