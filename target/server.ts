import type { Server } from "bun";
import { NO_DELAY, type DelayRange } from "./delay.ts";
import { TargetMetrics, UNMATCHED_ADDR } from "./metrics.ts";
import { createItemHandler, createItemsHandler } from "./items.ts";
import { createPingHandler } from "./ping.ts";
import { createStatusHandler } from "./status-route.ts";
import { NOT_FOUND_BODY, errorResponse, jsonResponse } from "./responses.ts";

/** Settings of `createTarget`; every field has a default. */
export type TargetServerOptions = {
  port?: number;
  host?: string;
  delay_ms?: DelayRange;
  error_rate?: number;
  random?: () => number;
  now_ms?: () => number;
};

/** A running target; `using target = createTarget(...)` stops it at scope exit. */
export type Target = {
  server: Server<unknown>;
  port: number;
  url: string;
  metrics: TargetMetrics;
  stop(): Promise<void>;
  [Symbol.dispose](): void;
};

const PROMETHEUS_HEADERS = { "content-type": "text/plain; version=0.0.4; charset=utf-8" } as const;

/** Starts the target HTTP server; `port: 0` picks a free port, read it back from `target.port`. */
export function createTarget({
  port = 8080,
  host = "0.0.0.0",
  delay_ms = NO_DELAY,
  error_rate = 0,
  random = Math.random,
  now_ms = () => performance.now(),
}: TargetServerOptions = {}): Target {
  const metrics = new TargetMetrics(now_ms());

  const server = Bun.serve({
    port,
    hostname: host,
    development: false,
    // Bun 1.4.5 turns SO_REUSEPORT on when development is false: a second target on the same
    // port would then start silently and share the traffic instead of failing.
    reusePort: false,
    routes: {
      "/ping": createPingHandler({ metrics, delay_ms, error_rate, random, now_ms }),
      // A small JSON API and a status echo for scenarios; each route is one counted address.
      "/items": createItemsHandler({ metrics, now_ms }),
      "/items/:id": createItemHandler({ metrics, now_ms }),
      "/status/:code": createStatusHandler({ metrics, now_ms }),
      // The metrics and reset endpoints are not counted, so scraping never skews the /ping counts.
      "/metrics": (req) => {
        if (req.method !== "GET" && req.method !== "HEAD") return errorResponse(405, "use GET", { allow: "GET" });
        if (new URL(req.url).searchParams.get("format") === "json") return Response.json(metrics.toJson(now_ms()));
        return new Response(metrics.toPrometheus(), { headers: PROMETHEUS_HEADERS });
      },
      "/reset": (req) => {
        if (req.method !== "POST") return errorResponse(405, "use POST", { allow: "POST" });
        metrics.reset();
        return Response.json({ message: "reset" });
      },
    },
    fetch(req) {
      const started_ms = now_ms();
      metrics.received(UNMATCHED_ADDR);
      const response = jsonResponse(NOT_FOUND_BODY, 404);
      metrics.responded(UNMATCHED_ADDR, req.method, 404, now_ms() - started_ms);
      return response;
    },
    error(error) {
      // Only a bug gets here; answer without a stack trace.
      return errorResponse(500, `internal: ${error.message}`);
    },
  });

  const actual_port = server.port ?? port;
  return {
    server,
    port: actual_port,
    url: `http://${host}:${actual_port}`,
    metrics,
    stop: () => server.stop(true),
    [Symbol.dispose]: () => void server.stop(true),
  };
}
