/**
 * Security settings end to end: with ORCHESTRATOR_TOKEN set, every mutating route of the API
 * (enumerated from the app itself, so a new one cannot be forgotten) refuses a missing or
 * wrong bearer token; `--allow-target` refuses other hosts with a clear error; and the token
 * and KAFKA_SASL_PASSWORD never appear in any node's log (at debug level) nor in /nodes,
 * /tests, /metrics or /events. Real processes, the shared broker.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { MemoryBus } from "../../src/bus/index.ts";
import { silentLogger } from "../../src/log.ts";
import { createApp, createMemoryStore, createOrchestrator, ManualClock } from "../../src/orchestrator/index.ts";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { listNodes, waitForAlive, waitForTestEnd, type TestJson } from "../helpers/orchestrator-client.ts";
import { openEventLog } from "./helpers/event-log.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(120_000);

const TOKEN = `tok-${crypto.randomUUID()}`;
const SASL_PASSWORD = `sasl-${crypto.randomUUID()}`;
const SECRETS = [TOKEN, SASL_PASSWORD];

let fleet: Fleet;
let orchestrator: { node: NodeProcess; url: string };
let driver: NodeProcess;

beforeAll(async () => {
  // KAFKA_SASL_PASSWORD without a mechanism is read but not used (the shared broker has no SASL):
  // the point is that the value, present in every node's environment, is never printed.
  fleet = new Fleet({
    brokers: await requireKafka(),
    topicPrefix: uniqueTopicPrefix("fault-security"),
    env: { ORCHESTRATOR_TOKEN: TOKEN, KAFKA_SASL_PASSWORD: SASL_PASSWORD, KAFKA_SASL_USERNAME: "loadtest", LOG_LEVEL: "debug" },
  });
  const target = await fleet.target();
  orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"]);
  driver = fleet.driver("sec-1");
  await waitForAlive(orchestrator.url, ["sec-1"], 60_000);
});

afterAll(async () => {
  await fleet?.stop();
});

/** Every mutating route the API has, from an in-process app. */
function mutatingRoutes(): { method: string; path: string }[] {
  const core = createOrchestrator({ bus: new MemoryBus(), store: createMemoryStore(), clock: new ManualClock(), log: silentLogger });
  const app = createApp(core, { defaultTarget: "http://127.0.0.1/ping", allowTargets: ["127.0.0.1"], token: "x" });
  const seen = new Set<string>();
  return app.routes
    .filter((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
}

const call = (method: string, path: string, authorization?: string, body = "{}") =>
  fetch(`${orchestrator.url}${path}`, { method, body, headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) } });

test("every mutating route needs the bearer token: missing, wrong or malformed ones get 401 and nothing happens", async () => {
  const routes = mutatingRoutes();
  expect(routes.map((r) => `${r.method} ${r.path}`)).toContain("POST /tests");
  expect(routes.map((r) => `${r.method} ${r.path}`)).toContain("POST /tests/:id/trigger");
  const refused: string[] = [];
  for (const { method, path } of routes) {
    const concrete = path.replace(/:[a-z_]+/g, "no-such-test");
    for (const authorization of [undefined, "Bearer wrong", `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await call(method, concrete, authorization, JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 1 }));
      if (res.status !== 401) refused.push(`${method} ${concrete} with ${authorization ?? "nothing"}: ${res.status}`);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="orchestrator"');
    }
    // The right token gets past the check (then the route answers for itself).
    expect((await call(method, concrete, `Bearer ${TOKEN}`, "{}")).status).not.toBe(401);
  }
  expect(refused).toEqual([]);
  expect(((await (await fetch(`${orchestrator.url}/tests`)).json()) as { total: number }).total).toBe(0);
});

test("--allow-target refuses any other host with a clear error, and the allowed one runs", async () => {
  const refused = await call("POST", "/tests", `Bearer ${TOKEN}`, JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 5, target_url: "http://169.254.169.254/latest/meta-data" }));
  expect(refused.status).toBe(422);
  expect(await refused.json()).toEqual({
    error: "invalid test: target_url: target 169.254.169.254 is not allowed; allowed: 127.0.0.1 (start the orchestrator with --allow-target)",
    issues: [{ path: "target_url", message: "target 169.254.169.254 is not allowed; allowed: 127.0.0.1 (start the orchestrator with --allow-target)" }],
  });
  const created = await call("POST", "/tests", `Bearer ${TOKEN}`, JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 20, trigger: true }));
  expect(created.status).toBe(201);
  const ended = await waitForTestEnd(orchestrator.url, ((await created.json()) as TestJson).test_id, 60_000);
  expect({ state: ended.state, completed: ended.metrics.counts.completed }).toEqual({ state: "done", completed: 20 });
});

test("neither the token nor the SASL password appears in any log or API answer", async () => {
  const events = await openEventLog(orchestrator.url);
  try {
    const tests = await (await fetch(`${orchestrator.url}/tests`)).text();
    const testId = (JSON.parse(tests) as { tests: { test_id: string }[] }).tests[0]!.test_id;
    const answers = [
      JSON.stringify(await listNodes(orchestrator.url)),
      tests,
      await (await fetch(`${orchestrator.url}/tests/${testId}`)).text(),
      await (await fetch(`${orchestrator.url}/metrics`)).text(),
    ];
    await fleet.signal(driver, "SIGTERM");
    const texts = { orchestrator: orchestrator.node.output(), driver: driver.output(), api: answers.join("\n"), events: JSON.stringify(events.events) };
    expect(texts.orchestrator).toContain('"level":"debug"');
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of SECRETS) expect({ where, leaks: text.includes(secret) }).toEqual({ where, leaks: false });
    }
  } finally {
    events.close();
  }
});
