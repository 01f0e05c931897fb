import type { Server } from "bun";
import { pickDelayMs, parseDelayRange, type DelayRange } from "./delay.ts";
import { PING_ADDR, type TargetMetrics } from "./metrics.ts";
import { INJECTED_BODY, PONG_BODY, JSON_HEADERS, errorResponse, jsonResponse } from "./responses.ts";

/** What the ping handler needs. */
export type PingDeps = {
  metrics: TargetMetrics;
  delay_ms: DelayRange;
  error_rate: number;
  random: () => number;
  now_ms: () => number;
};

type Overrides = { delay_ms?: DelayRange; status?: number } | string;

/** Builds the `/ping` handler: counts the request, applies delay and error injection, counts the response. */
export function createPingHandler({ metrics, delay_ms, error_rate, random, now_ms }: PingDeps) {
  const plain = delay_ms.max_ms === 0 && error_rate === 0;

  const respond = (method: string, status: number, body: string, started_ms: number): Response => {
    const response = jsonResponse(body, status);
    metrics.responded(PING_ADDR, method, status, now_ms() - started_ms);
    return response;
  };

  return function ping(req: Request, server: Server<unknown>): Response | Promise<Response> {
    const started_ms = now_ms();
    metrics.received(PING_ADDR);
    const url = req.url;
    const query_at = url.indexOf("?");

    if (plain && query_at === -1) {
      const response = new Response(PONG_BODY, { headers: JSON_HEADERS });
      metrics.responded(PING_ADDR, req.method, 200, now_ms() - started_ms);
      return response;
    }

    const overrides: Overrides = query_at === -1 ? {} : parseOverrides(url.slice(query_at + 1));
    if (typeof overrides === "string") {
      const response = errorResponse(400, overrides);
      metrics.responded(PING_ADDR, req.method, 400, now_ms() - started_ms);
      return response;
    }
    const status = overrides.status ?? (error_rate > 0 && random() < error_rate ? 500 : 200);
    const body = status >= 200 && status < 300 ? PONG_BODY : INJECTED_BODY;
    const wait_ms = pickDelayMs(overrides.delay_ms ?? delay_ms, random);
    if (wait_ms <= 0) return respond(req.method, status, body, started_ms);

    // Bun's idleTimeout (10 s by default) would close a connection waiting out a long delay.
    if (wait_ms >= 5_000) server.timeout(req, 0);
    const method = req.method;
    return Bun.sleep(wait_ms).then(() => respond(method, status, body, started_ms));
  };
}

/** Parses `delay_ms` and `status` from a query string; returns an error message when either is invalid. */
export function parseOverrides(query: string): Overrides {
  const params = new URLSearchParams(query);
  const overrides: { delay_ms?: DelayRange; status?: number } = {};
  const delay = params.get("delay_ms");
  if (delay !== null) {
    const range = parseDelayRange(delay);
    if (typeof range === "string") return `delay_ms: ${range}`;
    overrides.delay_ms = range;
  }
  const status = params.get("status");
  if (status !== null) {
    if (!/^[2-5]\d\d$/.test(status)) return `status: expected an HTTP status from 200 to 599, got "${status}"`;
    overrides.status = Number(status);
  }
  return overrides;
}
