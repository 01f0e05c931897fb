/** A few typed calls to the orchestrator's REST API for end-to-end tests. */
import { waitFor } from "./wait.ts";

/** Counts as the orchestrator reports them, per driver and in total. */
export interface CountsJson {
  sent: number;
  completed: number;
  status_2xx: number;
  status_4xx: number;
  status_5xx: number;
  timeout: number;
  connection_error: number;
  /** Requests a stop aborted after its grace (absent means 0). */
  stopped?: number;
}

/** The parts of `GET /tests/:id` the e2e tests read. */
export interface TestJson {
  test_id: string;
  state: "created" | "running" | "done" | "partial" | "failed" | "interrupted" | "stopped";
  drivers: string[];
  error: string | null;
  metrics: { counts: CountsJson };
  per_driver: { node_id: string; outcome: string; node_status: string; counts: CountsJson; final: boolean; reports: number }[];
}

/** The parts of a `GET /nodes` entry the e2e tests read. */
export interface NodeJson {
  node_id: string;
  node_IP: string;
  status: "alive" | "suspect" | "dead" | "left";
  history: { event: string; at: number }[];
}

/** Target counters from `GET /metrics?format=json`. */
export interface TargetMetricsJson {
  requests_received: number;
  responses_sent: number;
  by_status: Record<string, number>;
  ping: { received: number; responses: number };
}

const ENDED = new Set(["done", "partial", "failed", "interrupted", "stopped"]);

async function json<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** `GET /nodes`. */
export async function listNodes(orchestratorUrl: string): Promise<NodeJson[]> {
  return (await json<{ nodes: NodeJson[] }>(await fetch(`${orchestratorUrl}/nodes`), "GET /nodes")).nodes;
}

/** Waits until exactly `nodeIds` are alive (other nodes may be dead or gone) and returns them. */
export async function waitForAlive(orchestratorUrl: string, nodeIds: readonly string[], timeoutMs = 30_000): Promise<NodeJson[]> {
  const wanted = [...nodeIds].sort().join(",");
  return waitFor(
    `nodes ${wanted} to be the alive ones`,
    async () => {
      const nodes = await listNodes(orchestratorUrl);
      const alive = nodes.filter((node) => node.status === "alive");
      return alive.map((node) => node.node_id).sort().join(",") === wanted ? alive : null;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** `POST /tests` with `trigger: true`; returns the new test. */
export async function startTest(orchestratorUrl: string, body: Record<string, unknown>): Promise<TestJson> {
  const response = await fetch(`${orchestratorUrl}/tests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ trigger: true, ...body }),
  });
  return json<TestJson>(response, "POST /tests");
}

/** `GET /tests/:id`. */
export async function getTest(orchestratorUrl: string, testId: string): Promise<TestJson> {
  return json<TestJson>(await fetch(`${orchestratorUrl}/tests/${testId}`), `GET /tests/${testId}`);
}

/** Polls a test until it has ended (done, partial, failed, interrupted or stopped) and returns it. */
export async function waitForTestEnd(orchestratorUrl: string, testId: string, timeoutMs = 60_000): Promise<TestJson> {
  return waitFor(
    `test ${testId} to end`,
    async () => {
      const test = await getTest(orchestratorUrl, testId);
      return ENDED.has(test.state) ? test : null;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** The target's own counters. */
export async function targetMetrics(targetUrl: string): Promise<TargetMetricsJson> {
  return json<TargetMetricsJson>(await fetch(`${targetUrl}/metrics?format=json`), "GET /metrics?format=json");
}

/** Zeroes the target's counters (`POST /reset`). */
export async function resetTarget(targetUrl: string): Promise<void> {
  await json<unknown>(await fetch(`${targetUrl}/reset`, { method: "POST" }), "POST /reset");
}

/** Completed count of each driver of a test, by node id. */
export function completedByDriver(test: TestJson): Record<string, number> {
  return Object.fromEntries(test.per_driver.map((driver) => [driver.node_id, driver.counts.completed]));
}
