/**
 * https through the HTTP/1.1 pool (TLS over Bun.connect) and through fetch, against a Bun TLS
 * server with a self-signed certificate made here with openssl: refused unless the plan says
 * tls_insecure, exact counts with it, and at most `concurrency` connections seen by the server.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/driver/clock.ts";
import { Http1Pool, openHttp1Pool } from "../../src/driver/http1-pool.ts";
import { planTest, type RunPlan } from "../../src/driver/run-plan.ts";
import { SendLoop } from "../../src/driver/send-loop.ts";
import { TestStats } from "../../src/driver/test-stats.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; spawns openssl once. The certificate names
// localhost only: for 127.0.0.1 it is both self-signed and of another name.
setDefaultTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "pool-tls-"));
const made = Bun.spawnSync(
  ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost"],
  { stderr: "pipe" },
);
if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);

const clientPorts = new Set<number>();
let served = 0;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  maxRequestBodySize: 16 * 1024 * 1024,
  tls: { cert: Bun.file(join(dir, "cert.pem")), key: Bun.file(join(dir, "key.pem")) },
  async fetch(req, srv) {
    clientPorts.add(srv.requestIP(req)!.port);
    served++;
    const body = await req.text();
    return new Response(`${req.method} ${body.length}`, { status: req.method === "POST" ? 201 : 200 });
  },
});
const url = `https://127.0.0.1:${server.port}/ping`;
afterAll(() => {
  void server.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

const never = new AbortController().signal;

function plan(count: number, concurrency: number, tlsInsecure: boolean): RunPlan {
  const planned = planTest({ test_id: "tls", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: count, target_url: url, concurrency, timeout_ms: 10_000 });
  if (!planned.ok) throw new Error(planned.error);
  return { ...planned.plan, ...(tlsInsecure ? { tlsInsecure: true } : {}) };
}

async function run(p: RunPlan, pooled: boolean) {
  const stats = new TestStats({ nodeId: "n", testId: "tls", paced: false, startedAtMs: Date.now(), epochOffsetMs: 0 });
  const loop = new SendLoop(p, { fetch, clock: systemClock, sink: stats, ...(pooled ? { openHttp: openHttp1Pool } : {}) }, systemClock.mono());
  const result = await loop.start();
  const { status_2xx, connection_error } = stats.counts;
  return { result, status_2xx, connection_error, firstError: loop.firstError };
}

describe("https through the pool", () => {
  test("refuses a self-signed certificate without tlsInsecure, naming the reason", async () => {
    const pool = new Http1Pool(new URL(url), 2);
    const error = await pool.request(never).then(() => "answered", (e: unknown) => String(e));
    pool.close();
    expect(error).toBe("Error: TLS certificate rejected: DEPTH_ZERO_SELF_SIGNED_CERT (tls_insecure accepts it)");
  });

  test("with tlsInsecure: a send loop at concurrency 8 gets every answer over at most 8 connections, a POST and an 8 MiB PUT work", async () => {
    clientPorts.clear();
    served = 0;
    const ran = await run(plan(400, 8, true), true);
    const loopConnections = clientPorts.size;
    const pool = new Http1Pool(new URL(url), 1, undefined, { tlsInsecure: true });
    const post = await new Promise<{ status: number; body: string; sent: number }>((resolve) =>
      pool.send(
        never,
        (status, _e, _t, info) => resolve({ status, body: new TextDecoder().decode(info?.body), sent: info?.bytesSent ?? 0 }),
        { request: 0, method: "POST", url, headers: [["content-type", "text/plain"]], body: new TextEncoder().encode("12345"), captureBodyBytes: 100 },
      ),
    );
    // 8 MiB: more than one TLS write takes, so the rest goes out from the drain callback.
    const large = await new Promise<{ status: number; body: string }>((resolve) =>
      pool.send(never, (status, _e, _t, info) => resolve({ status, body: new TextDecoder().decode(info?.body) }), {
        request: 0, method: "PUT", url, headers: [], body: new Uint8Array(8 * 1024 * 1024).fill(65), captureBodyBytes: 100,
      }),
    );
    pool.close();
    expect({ ...ran, served, fewConnections: loopConnections <= 8, post: { status: post.status, body: post.body, sentSome: post.sent > 5 }, large }).toEqual({
      result: { sent: 400, stopped: false },
      status_2xx: 400,
      connection_error: 0,
      firstError: undefined,
      served: 402,
      fewConnections: true,
      post: { status: 201, body: "POST 5", sentSome: true },
      large: { status: 200, body: `PUT ${8 * 1024 * 1024}` },
    });
  });

  test("the send loop without a pool: fetch refuses the certificate, and accepts it with tlsInsecure", async () => {
    const refused = await run(plan(3, 1, false), false);
    const accepted = await run(plan(3, 1, true), false);
    expect({ refused: { ...refused, firstError: refused.firstError !== undefined }, accepted }).toEqual({
      refused: { result: { sent: 3, stopped: false }, status_2xx: 0, connection_error: 3, firstError: true },
      accepted: { result: { sent: 3, stopped: false }, status_2xx: 3, connection_error: 0, firstError: undefined },
    });
  });
});
