// Every route of the API once: what it takes and what it answers, by the zod schemas the routes
// themselves validate with (requests) and the response schemas beside this file. document.ts
// turns this table into the OpenAPI document; the OpenAPI test checks it against `app.routes`.
import type { z } from "zod";
import { TestConfigSchema } from "../../../protocol/index.ts";
import { TestRequestSchema } from "../../test-request.ts";
import { ListQuerySchema, NodesQuerySchema } from "../queries.ts";
import { ReportQuerySchema } from "../report.ts";
import { StopRequestSchema } from "../stop-request.ts";
import { CompareQuerySchema } from "../compare-routes.ts";
import { COMPARISON_EXAMPLE, DISTRIBUTION_EXAMPLE } from "./compare-examples.ts";
import { ComparisonSchema, DistributionSchema } from "./compare-schemas.ts";
import * as examples from "./examples.ts";
import * as responses from "./response-schemas.ts";

/** Named schemas of the document (`#/components/schemas/<name>`); requests are described as sent, responses as answered. */
export const COMPONENTS = {
  TestRequest: {
    schema: TestRequestSchema,
    io: "input",
    description: "Numbers may also be sent as strings (\"1000\"), as the brief's messages do; unknown fields are refused; target_url defaults to the orchestrator's --target.",
  },
  StopRequest: { schema: StopRequestSchema, io: "input", description: "Every field is optional: an empty body stops with the defaults." },
  TestView: { schema: responses.TestViewSchema, io: "output" },
  TestConfig: { schema: TestConfigSchema, io: "output", description: "A test's whole configuration as created, `data` rows included." },
  TestPage: { schema: responses.TestPageSchema, io: "output" },
  Report: { schema: responses.ReportSchema, io: "output" },
  NodePage: { schema: responses.NodePageSchema, io: "output" },
  NodeDeleted: { schema: responses.NodeDeletedSchema, io: "output" },
  Health: { schema: responses.HealthSchema, io: "output" },
  Distribution: { schema: DistributionSchema, io: "output", description: "Latency by percentile, p0 to p99.99, evenly spaced on a log 1/(1−p) axis; the whole test from the merged digest, then each driver." },
  Comparison: { schema: ComparisonSchema, io: "output", description: "Per metric: base, candidate, change, relative change and the verdict against its max_regression." },
  Error: { schema: responses.ErrorBodySchema, io: "output" },
} as const satisfies Record<string, { schema: z.ZodType; io: "input" | "output"; description?: string }>;

/** A component's name. */
export type ComponentName = keyof typeof COMPONENTS;

/** One answer: a JSON component with an example, or another media type. */
export interface ResponseDoc {
  description: string;
  json?: ComponentName;
  example?: unknown;
  /** A non-JSON answer: its media type. */
  media?: string;
}

/** One route as the document shows it. */
export interface OperationDoc {
  method: "get" | "post" | "delete";
  /** Hono's form: `/tests/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: "tests" | "nodes" | "health" | "dashboard";
  /** Needs `Authorization: Bearer <ORCHESTRATOR_TOKEN>` when the orchestrator has a token. */
  auth?: boolean;
  query?: z.ZodObject;
  body?: { json: ComponentName; required: boolean; example: unknown };
  responses: Record<number, ResponseDoc>;
}

const error = (description: string): ResponseDoc => ({ description, json: "Error", example: examples.ERROR_EXAMPLE });
const NOT_FOUND = error("no such test (or an id that cannot be one)");
const INVALID_QUERY = error("a query parameter is out of range; `issues` names each");
const BAD_JSON = error("the body is not JSON");
const TOO_LARGE = error("the body is larger than 64 KiB");
const testView = (description: string): ResponseDoc => ({ description, json: "TestView", example: examples.TEST_VIEW_EXAMPLE });

/** The API's routes, in the order the README lists them. */
export const OPERATIONS: readonly OperationDoc[] = [
  {
    method: "post", path: "/tests", operationId: "createTest", tag: "tests", auth: true,
    summary: "Create a test for every alive driver (and trigger it with `trigger: true`)",
    body: { json: "TestRequest", required: true, example: examples.TEST_REQUEST_EXAMPLE },
    responses: { 201: testView("the created test"), 400: BAD_JSON, 409: error("no alive driver, or another test is running"), 413: TOO_LARGE, 422: error("invalid test; `issues` names every bad field") },
  },
  {
    method: "post", path: "/tests/:id/trigger", operationId: "triggerTest", tag: "tests", auth: true,
    summary: "Start a created test",
    responses: { 200: testView("the test, now running"), 404: NOT_FOUND, 409: error("the test was already triggered or another test is running") },
  },
  {
    method: "post", path: "/tests/:id/stop", operationId: "stopTest", tag: "tests", auth: true,
    summary: "Stop a running test (or cancel a created one); the body is optional",
    body: { json: "StopRequest", required: false, example: examples.STOP_REQUEST_EXAMPLE },
    responses: { 200: testView("the test, stopping"), 400: BAD_JSON, 404: NOT_FOUND, 409: error("the test has ended"), 413: TOO_LARGE, 422: error("invalid stop request") },
  },
  {
    method: "get", path: "/tests/:id", operationId: "getTest", tag: "tests",
    summary: "A test with its figures, in total and per driver",
    responses: { 200: testView("the test"), 404: NOT_FOUND },
  },
  {
    method: "get", path: "/tests/:id/config", operationId: "getTestConfig", tag: "tests",
    summary: "A test's whole configuration as created, `data` rows included (views show `config.data_rows` instead)",
    responses: { 200: { description: "the configuration", json: "TestConfig", example: examples.TEST_VIEW_EXAMPLE.config }, 404: NOT_FOUND },
  },
  {
    method: "get", path: "/tests", operationId: "listTests", tag: "tests",
    summary: "The test history, newest first", query: ListQuerySchema,
    responses: { 200: { description: "a page of tests", json: "TestPage", example: examples.TEST_PAGE_EXAMPLE }, 422: INVALID_QUERY },
  },
  {
    method: "get", path: "/tests/:id/report", operationId: "getReport", tag: "tests",
    summary: "A test's full result with its per-second series, as JSON, CSV or a self-contained HTML page", query: ReportQuerySchema,
    responses: {
      200: { description: "the report (`format=json`); `format=csv` answers text/csv, `format=html` text/html", json: "Report", example: examples.REPORT_EXAMPLE },
      404: NOT_FOUND,
      422: error("format is not json, csv or html"),
    },
  },
  {
    method: "get", path: "/tests/:id/distribution", operationId: "getDistribution", tag: "tests",
    summary: "A test's latency by percentile (p0..p99.99 on a log 1/(1−p) axis), whole test and per driver",
    responses: { 200: { description: "the distributions", json: "Distribution", example: DISTRIBUTION_EXAMPLE }, 404: NOT_FOUND },
  },
  {
    method: "get", path: "/tests/compare", operationId: "compareTests", tag: "tests",
    summary: "A candidate test against its base: each metric's change and verdict against `max_regression` (repeatable)", query: CompareQuerySchema,
    responses: {
      200: { description: "the comparison; `passed` is false when a regression exceeds its threshold", json: "Comparison", example: COMPARISON_EXAMPLE },
      404: error("no such base or candidate test"),
      409: error("the base or the candidate has not ended"),
      422: error("a base or candidate id is missing, or a max_regression is malformed; `issues` names each entry"),
    },
  },
  {
    method: "get", path: "/tests/:id/events", operationId: "testEvents", tag: "tests",
    summary: "Server-sent events of one test: `snapshot` every second while it runs, then `final`",
    responses: { 200: { description: "an event stream", media: "text/event-stream" }, 404: NOT_FOUND },
  },
  {
    method: "get", path: "/events", operationId: "fleetEvents", tag: "tests",
    summary: "Server-sent events of the fleet: `state`, then every `node`, `snapshot`, `final` and `bus` event",
    responses: { 200: { description: "an event stream", media: "text/event-stream" } },
  },
  {
    method: "get", path: "/nodes", operationId: "listNodes", tag: "nodes",
    summary: "Drivers, live ones first, then the dead and departed", query: NodesQuerySchema,
    responses: { 200: { description: "a page of nodes", json: "NodePage", example: examples.NODE_PAGE_EXAMPLE }, 422: INVALID_QUERY },
  },
  {
    method: "delete", path: "/nodes/:id", operationId: "deleteNode", tag: "nodes", auth: true,
    summary: "Forget a node (it comes back if it beats again)",
    responses: { 200: { description: "the node was forgotten", json: "NodeDeleted", example: { deleted: "driver-1" } }, 404: error("no such node"), 409: error("the node takes part in a running test") },
  },
  {
    method: "get", path: "/healthz", operationId: "health", tag: "health",
    summary: "The orchestrator and its Kafka bus",
    responses: {
      200: { description: "healthy", json: "Health", example: examples.HEALTH_EXAMPLE },
      503: { description: "the bus is degraded: which topics, since when", json: "Health", example: examples.DEGRADED_EXAMPLE },
    },
  },
  {
    method: "get", path: "/metrics", operationId: "metrics", tag: "health",
    summary: "Prometheus text exposition: drivers, the current test, dropped messages, the bus",
    responses: { 200: { description: "Prometheus metrics", media: "text/plain; version=0.0.4" } },
  },
  {
    method: "get", path: "/openapi.json", operationId: "openapi", tag: "health",
    summary: "This document",
    responses: { 200: { description: "the OpenAPI 3.1 document", media: "application/json" } },
  },
  { method: "get", path: "/", operationId: "dashboard", tag: "dashboard", summary: "The dashboard page", responses: { 200: { description: "the page", media: "text/html" } } },
  {
    method: "get", path: "/dashboard/main.js", operationId: "dashboardScript", tag: "dashboard",
    summary: "The dashboard's browser code, one bundle",
    responses: { 200: { description: "the script", media: "text/javascript" } },
  },
];
