import { afterAll, describe, expect, test } from "bun:test";
import { Http1Pool, openHttp1Pool } from "../../src/driver/http1-pool.ts";
import { systemClock } from "../../src/driver/clock.ts";
import { planTest } from "../../src/driver/run-plan.ts";
import { SendLoop } from "../../src/driver/send-loop.ts";
import { TestStats } from "../../src/driver/test-stats.ts";

const clientPorts = new Set<number>();
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  routes: {
    "/ping": (req, srv) => {
      clientPorts.add(srv.requestIP(req)!.port);
      return new Response('{"message":"pong"}');
    },
    "/error": () => new Response("boom", { status: 500 }),
    "/redirect": () => new Response(null, { status: 302, headers: { location: "/ping" } }),
    "/chunked": () => new Response(new ReadableStream({ start(c) { c.enqueue("a".repeat(5000)); c.enqueue("b"); c.close(); } })),
    "/close": () => new Response("bye", { headers: { connection: "close" } }),
    "/slow": async () => {
      await Bun.sleep(5_000);
      return new Response("late");
    },
  },
});
const base = `http://127.0.0.1:${server.port}`;
const never = new AbortController().signal;

// A server that answers one request per connection and then closes it without saying so:
// the next request on that connection finds it dead and must go out again on a new one.
let oneShotConnections = 0;
const oneShot = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    open() {
      oneShotConnections++;
    },
    data(socket) {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      socket.end();
    },
  },
});
afterAll(() => {
  oneShot.stop(true);
  void server.stop(true);
});

describe("Http1Pool", () => {
  test("resolves each request with its status once the body has ended, without following redirects", async () => {
    const statuses: Record<string, number> = {};
    for (const path of ["/ping", "/error", "/redirect", "/chunked", "/close", "/missing"]) {
      const pool = new Http1Pool(new URL(base + path), 2);
      statuses[path] = await pool.request(never);
      statuses[`${path} again`] = await pool.request(never);
      pool.close();
    }
    expect(statuses).toEqual({
      "/ping": 200, "/ping again": 200, "/error": 500, "/error again": 500, "/redirect": 302, "/redirect again": 302,
      "/chunked": 200, "/chunked again": 200, "/close": 200, "/close again": 200, "/missing": 404, "/missing again": 404,
    });
  });

  test("sends a request again on a new connection when a reused one turns out to be closed", async () => {
    const pool = new Http1Pool(new URL(`http://127.0.0.1:${oneShot.port}/`), 1);
    const statuses = [await pool.request(never), await pool.request(never), await pool.request(never)];
    pool.close();
    expect({ statuses, connections: oneShotConnections }).toEqual({ statuses: [200, 200, 200], connections: 3 });
  });

  test("rejects with the abort reason when the request's signal aborts, and with an error when nothing listens", async () => {
    const pool = new Http1Pool(new URL(`${base}/slow`), 4);
    const controller = new AbortController();
    const pending = pool.request(controller.signal);
    controller.abort("request timed out");
    const reason = await pending.catch((e: unknown) => e);
    pool.close();
    const closedPort = Bun.serve({ port: 0, fetch: () => new Response() });
    const deadUrl = `http://127.0.0.1:${closedPort.port}/`;
    await closedPort.stop(true);
    const dead = new Http1Pool(new URL(deadUrl), 4);
    const refused = await dead.request(never).then(() => "resolved", () => "rejected");
    dead.close();
    expect({ reason, refused }).toEqual({ reason: "request timed out", refused: "rejected" });
  });

  test("serves http and https; any other scheme is left to fetch", () => {
    const pool = openHttp1Pool(`${base}/ping`, 8);
    pool?.close();
    const tls = openHttp1Pool("https://127.0.0.1:1/ping", 8);
    tls?.close();
    expect({ http: pool instanceof Http1Pool, https: tls instanceof Http1Pool, other: openHttp1Pool("ftp://127.0.0.1:1/ping", 8) }).toEqual({ http: true, https: true, other: null });
  });

  test("a send loop with 300 in flight keeps one connection per slot instead of churning them", async () => {
    clientPorts.clear();
    const planned = planTest({ test_id: "pool", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 3_000, target_url: `${base}/ping`, concurrency: 300 });
    if (!planned.ok) throw new Error(planned.error);
    const stats = new TestStats({ nodeId: "n", testId: "pool", paced: false, startedAtMs: Date.now(), epochOffsetMs: 0 });
    const loop = new SendLoop(planned.plan, { fetch, clock: systemClock, sink: stats, openHttp: openHttp1Pool }, systemClock.mono());
    const result = await loop.start();
    expect({ result, ok: stats.counts.status_2xx, errors: stats.counts.connection_error, fewConnections: clientPorts.size <= 300 }).toEqual({
      result: { sent: 3_000, stopped: false },
      ok: 3_000,
      errors: 0,
      fewConnections: true,
    });
  });
});

/** A raw TCP server that answers every request with `reply`, counting connections; `end` closes after each. */
function rawServer(reply: string, end = false): { port: number; connections: () => number; stop: () => void } {
  let connections = 0;
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open() {
        connections++;
      },
      data(socket) {
        socket.write(reply);
        if (end) socket.end();
      },
    },
  });
  return { port: listener.port, connections: () => connections, stop: () => listener.stop(true) };
}

/** Sends `count` requests one after another through a one-connection pool; each settles to a status or "error". */
async function sequential(port: number, count: number): Promise<(number | string)[]> {
  const pool = new Http1Pool(new URL(`http://127.0.0.1:${port}/`), 1);
  const results: (number | string)[] = [];
  for (let i = 0; i < count; i++) results.push(await pool.request(never).catch(() => "error"));
  pool.close();
  return results;
}

describe("Http1Pool with odd servers", () => {
  test("reads responses whose head ends lines in a bare LF on a kept-alive connection", async () => {
    const server = rawServer("HTTP/1.1 200 OK\nContent-Length: 2\n\nok");
    const statuses = await sequential(server.port, 3);
    server.stop();
    expect({ statuses, connections: server.connections() }).toEqual({ statuses: [200, 200, 200], connections: 1 });
  });

  test("closes and replaces the connection after Connection: close listed with other tokens, even if the server keeps it open", async () => {
    const server = rawServer("HTTP/1.1 200 OK\r\nConnection: close, x-other\r\nContent-Length: 2\r\n\r\nok");
    const statuses = await sequential(server.port, 3);
    server.stop();
    expect({ statuses, connections: server.connections() }).toEqual({ statuses: [200, 200, 200], connections: 3 });
  });

  test("fails a request whose chunk is longer than its size line says, as a connection error", async () => {
    const server = rawServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n");
    const statuses = await sequential(server.port, 2);
    server.stop();
    expect({ statuses, connections: server.connections() }).toEqual({ statuses: ["error", "error"], connections: 2 });
  });

  test("reads an HTTP/1.0 body without Content-Length to the server's close, then connects anew", async () => {
    const server = rawServer("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nthe whole body", true);
    const statuses = await sequential(server.port, 2);
    server.stop();
    expect({ statuses, connections: server.connections() }).toEqual({ statuses: [200, 200], connections: 2 });
  });
});

describe("Http1Pool with a body cap", () => {
  test("abandons an endless chunked body past the cap: the status comes back flagged, and the connection is replaced", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(97);
    using endless = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => new Response(new ReadableStream({ pull: (c) => c.enqueue(chunk) })),
    });
    using small = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("x".repeat(1000)) });
    const poolFor = (port: number | undefined) => new Http1Pool(new URL(`http://127.0.0.1:${port}/`), 1, undefined, { maxBodyBytes: 1024 * 1024 });
    const send = (pool: Http1Pool) =>
      new Promise<{ status: number; bodyTooLarge: boolean }>((resolve) => pool.send(never, (status, _error, bodyTooLarge) => resolve({ status, bodyTooLarge: bodyTooLarge ?? false })));
    const capped = poolFor(endless.port);
    const first = await send(capped);
    const second = await send(capped);
    capped.close();
    const under = poolFor(small.port);
    const whole = await send(under);
    under.close();
    // One connection at most: the second request could only go out on a new one.
    expect({ first, second, whole }).toEqual({
      first: { status: 200, bodyTooLarge: true },
      second: { status: 200, bodyTooLarge: true },
      whole: { status: 200, bodyTooLarge: false },
    });
  });
});
