import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { silentLogger, type Logger } from "../../log.ts";
import { formatIssues, toIssues } from "../../protocol/index.ts";
import { nodeIdParam, testIdParam } from "./path-params.ts";
import { parseStopRequest } from "./stop-request.ts";
import { ListQuerySchema, NodesQuerySchema } from "./queries.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { parseTestRequest, type TestRequestOptions } from "../test-request.ts";
import { bearerToken } from "./auth.ts";
import { compareRoutes } from "./compare-routes.ts";
import { configRoutes } from "./config-route.ts";
import { dashboardRoutes } from "./dashboard.ts";
import { openApiRoutes } from "./openapi/routes.ts";
import { ApiError, errorBody, onError } from "./errors.ts";
import { prometheusRoutes } from "./prometheus.ts";
import { reportRoutes } from "./report.ts";
import { sseRoutes, type SseOptions } from "./sse.ts";
import type { SecurityCounts } from "../../security/security-counters.ts";

export { NODES_PAGE_DEFAULT, NODES_PAGE_MAX } from "./queries.ts";

/** Largest request body accepted (a test request is a few hundred bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Largest `POST /tests` body: a scenario carries request bodies and data (issue 11; up to MAX_SCENARIO_BYTES as compact JSON). */
export const MAX_TEST_BODY_BYTES = 16 * 1024 * 1024;

export interface AppOptions extends TestRequestOptions {
  /** When set, POST/PUT/PATCH/DELETE need `Authorization: Bearer <token>`. */
  token?: string;
  maxBodyBytes?: number;
  log?: Logger;
  /** The fleet's trust counters for `/metrics` (refused commands, forged reports). */
  securityCounts?: () => SecurityCounts;
  /** Ping interval and per-client buffer bounds of the event streams (defaults in sse.ts). */
  sse?: SseOptions;
}


/** Reads a JSON body; malformed JSON is the caller's mistake, answered 400 with the reason. */
async function jsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") throw new ApiError(400, "the request body must be a JSON object", [{ path: "(root)", message: "empty body" }]);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, "the request body is not valid JSON", [{ path: "(root)", message: (err as Error).message }]);
  }
}

/** The orchestrator's REST API over a core; serve it with `Bun.serve({ fetch: app.fetch })`. */
export function createApp(orchestrator: Orchestrator, options: AppOptions): Hono {
  const { token, maxBodyBytes = MAX_BODY_BYTES, log = silentLogger } = options;
  const app = new Hono();
  app.onError(onError(log));
  app.notFound((c) => c.json(errorBody(`no route ${c.req.method} ${c.req.path}`), 404));
  // The token first: an unauthenticated body is never read.
  app.use("*", bearerToken(token));
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(413, `request body larger than ${maxSize} bytes`);
      },
    });
  const anyBody = limit(maxBodyBytes);
  const testBody = limit(Math.max(maxBodyBytes, MAX_TEST_BODY_BYTES));
  app.use("*", (c, next) => (c.req.method === "POST" && c.req.path === "/tests" ? testBody : anyBody)(c, next));

  // 200 while the bus is healthy; 503 with what is wrong while it is degraded (docs/reliability.md).
  app.get("/healthz", (c) => {
    const bus = orchestrator.busHealth();
    return bus.status === "ok" ? c.json({ ok: true, status: "ok", bus }) : c.json({ ok: false, status: "degraded", bus }, 503);
  });

  // Live nodes first, then the dead and departed; `total` counts them all.
  app.get("/nodes", (c) => {
    const query = NodesQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new ApiError(422, "invalid query", toIssues(query.error));
    const { limit, offset } = query.data;
    return c.json({ ...orchestrator.pageNodes(limit, offset), limit, offset });
  });

  app.delete("/nodes/:id", (c) => {
    const id = nodeIdParam(c);
    orchestrator.deleteNode(id);
    return c.json({ deleted: id });
  });

  app.post("/tests", async (c) => {
    const parsed = parseTestRequest(await jsonBody(c.req.raw), options);
    if (!parsed.ok) throw new ApiError(422, `invalid test: ${formatIssues(parsed.issues)}`, parsed.issues);
    return c.json(await orchestrator.createTest(parsed.value), 201);
  });

  app.post("/tests/:id/trigger", async (c) => c.json(await orchestrator.triggerTest(testIdParam(c))));

  app.post("/tests/:id/stop", async (c) => {
    const id = testIdParam(c);
    const text = await c.req.text();
    const body = parseStopRequest(text);
    return c.json(await orchestrator.stopTest(id, { graceMs: body.stop_grace_ms, reason: body.reason, by: "user" }));
  });

  // Before GET /tests/:id, which would take "compare" for a test id.
  app.route("/", compareRoutes(orchestrator));

  app.get("/tests/:id", (c) => {
    const id = testIdParam(c);
    const view = orchestrator.getTest(id);
    if (!view) throw new ApiError(404, `no test ${id}`);
    return c.json(view);
  });

  app.get("/tests", (c) => {
    const query = ListQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new ApiError(422, "invalid query", toIssues(query.error));
    const { limit, offset } = query.data;
    return c.json({ ...orchestrator.listTests(limit, offset), limit, offset });
  });

  app.route("/", sseRoutes(orchestrator, options.sse));
  app.route("/", reportRoutes(orchestrator));
  app.route("/", configRoutes(orchestrator));
  app.route("/", prometheusRoutes(orchestrator, options.securityCounts));
  app.route("/", dashboardRoutes({ tokenRequired: Boolean(token) }));
  app.route("/", openApiRoutes());

  return app;
}
