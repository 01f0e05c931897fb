import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Server } from "bun";
import { Fleet } from "../helpers/fleet.ts";
import { api } from "../helpers/http.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { makeSelfSignedCert } from "../helpers/self-signed-cert.ts";
import { waitFor } from "../helpers/wait.ts";

// Starts processes and talks to the real broker: the 5 s default is too short for a cold JVM.
setDefaultTimeout(180_000);

// Issue 11's https proof over the real broker: a Bun TLS server with a self-signed certificate
// made here with openssl, an orchestrator and two drivers (one sending through the HTTP/1.1
// pool over TLS, one through fetch). Without tls_insecure every request is a connection error
// whose reason GET /tests/:id names per driver (first_error); with it the counts are exact and each driver holds at most
// `concurrency` connections, counted on the server by the client's port.

const POOL = "tls-pool";
const FETCH = "tls-fetch";
const DRIVERS = [POOL, FETCH];

let fleet: Fleet;
let orchestrator: ReturnType<typeof api>;
let server: Server<undefined>;
let origin: string;
/** Requests the server answered, per driver (the node id is the path's last segment). */
const served = new Map<string, number>();
/** Client ports (one per TLS connection) the server saw, per driver. */
const ports = new Map<string, Set<number>>();

function resetServerCounts(): void {
  served.clear();
  ports.clear();
}

async function runTest(body: Record<string, unknown>): Promise<any> {
  const created = await orchestrator.post("/tests", { ...body, trigger: true });
  if (created.status !== 201) throw new Error(`POST /tests answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = created.body.test_id as string;
  return waitFor(
    `test ${id} to end`,
    async () => {
      const view = (await orchestrator.get(`/tests/${id}`)).body;
      return ["done", "partial", "failed", "interrupted", "stopped"].includes(view.state) ? view : null;
    },
    { timeoutMs: 90_000, intervalMs: 100 },
  );
}

beforeAll(async () => {
  const { cert, key } = makeSelfSignedCert("localhost");
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert, key },
    fetch(req, srv) {
      const node = new URL(req.url).pathname.split("/").at(-1) ?? "";
      served.set(node, (served.get(node) ?? 0) + 1);
      let set = ports.get(node);
      if (!set) ports.set(node, (set = new Set()));
      set.add(srv.requestIP(req)!.port);
      return new Response('{"message":"pong"}', { headers: { "content-type": "application/json" } });
    },
  });
  origin = `https://127.0.0.1:${server.port}`;
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("scenario-https") });
  const orch = await fleet.orchestrator("orchestrator", ["--target", `${origin}/ping`, "--allow-target", "127.0.0.1"]);
  orchestrator = api(orch.url);
  fleet.driver(POOL);
  fleet.driver(FETCH, ["--http-client", "fetch"]);
  await waitFor(
    "both drivers alive",
    async () => {
      const nodes = (await orchestrator.get("/nodes")).body.nodes as { node_id: string; status: string }[];
      return DRIVERS.every((id) => nodes.some((n) => n.node_id === id && n.status === "alive"));
    },
    { timeoutMs: 60_000 },
  );
});

afterAll(async () => {
  await fleet?.stop();
  void server?.stop(true);
});

/** The test body: each driver sends to /ping/<its node id>, so the server counts per driver. */
function httpsTest(count: number, concurrency: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    test_type: "AVALANCHE",
    message_count_per_driver: count,
    concurrency,
    timeout_ms: 10_000,
    target_url: `${origin}/ping`,
    requests: [{ name: "ping", url: "/ping/${node_id}" }],
    ...extra,
  };
}

describe("https targets over Kafka", () => {
  test("a self-signed certificate without tls_insecure: every request a connection error, the reason named", async () => {
    resetServerCounts();
    const count = 20;
    const view = await runTest(httpsTest(count, 4));
    const total = count * DRIVERS.length;
    expect(view.metrics.counts).toMatchObject({ sent: total, status_2xx: 0, connection_error: total });
    expect(view.by_request.ping.counts.connection_error).toBe(total);
    // No request got through the handshake.
    expect([...served.values()].reduce((a, b) => a + b, 0)).toBe(0);
    const perDriver = new Map((view.per_driver as { node_id: string; counts: { connection_error: number }; first_error?: string }[]).map((d) => [d.node_id, d]));
    for (const node of DRIVERS) expect({ node, errors: perDriver.get(node)?.counts.connection_error }).toEqual({ node, errors: count });
    // The reason, in GET /tests/:id per driver (its reports' first_error) and in each driver's log.
    expect(perDriver.get(POOL)!.first_error).toMatch(/^TLS certificate rejected: [A-Z_]+ \(tls_insecure accepts it\)$/);
    expect(perDriver.get(FETCH)!.first_error).toMatch(/self[- ]signed|certificate|CERT/i);
    await fleet.waitForOutput(fleet.nodeByName(POOL)!, /"first_error":"TLS certificate rejected: [A-Z_]+ \(tls_insecure accepts it\)"/);
    await fleet.waitForOutput(fleet.nodeByName(FETCH)!, /"first_error":"[^"]*(self[- ]signed|certificate|CERT)[^"]*"/i);
  });

  test("with tls_insecure: exact counts and at most `concurrency` connections per driver", async () => {
    resetServerCounts();
    const count = 600;
    const concurrency = 8;
    const view = await runTest(httpsTest(count, concurrency, { tls_insecure: true }));
    expect(view.state).toBe("done");
    const total = count * DRIVERS.length;
    expect(view.metrics.counts).toMatchObject({ sent: total, completed: total, status_2xx: total, connection_error: 0 });
    expect(view.by_request.ping.counts.completed).toBe(total);
    expect((view.per_driver as { first_error?: string }[]).map((d) => d.first_error)).toEqual([undefined, undefined]);
    for (const node of DRIVERS) {
      expect({ node, served: served.get(node) }).toEqual({ node, served: count });
      const connections = ports.get(node)!.size;
      expect({ node, atMostConcurrency: connections >= 1 && connections <= concurrency }).toEqual({ node, atMostConcurrency: true });
    }
  });
});
