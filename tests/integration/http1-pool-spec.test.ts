/**
 * The HTTP/1.1 pool sending a scenario's SendSpec (issue 11): any method, headers and body,
 * large bodies under backpressure, HEAD, body capture, exact byte counts, and no second
 * attempt of a POST on a stale keep-alive. Real sockets on 127.0.0.1, one process.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { Http1Pool } from "../../src/driver/http1-pool.ts";
import { buildRequest, originOf } from "../../src/driver/http1-request.ts";
import type { HttpMethod, ResponseInfo, SendSpec } from "../../src/driver/scenario/request-spec.ts";

const never = new AbortController().signal;
const clientPorts = new Set<number>();

/** Answers with what it received: method, path, the headers it was asked about, the body's size and digest. */
const echo = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  maxRequestBodySize: 16 * 1024 * 1024,
  async fetch(req, srv) {
    clientPorts.add(srv.requestIP(req)!.port);
    const body = new Uint8Array(await req.arrayBuffer());
    const url = new URL(req.url);
    if (url.pathname === "/text") return new Response("hello world, this is the body");
    if (url.pathname === "/chunked") return new Response(new ReadableStream({ start(c) { c.enqueue("hel"); c.enqueue("lo chunked"); c.close(); } }));
    const answer = {
      method: req.method,
      path: url.pathname + url.search,
      auth: req.headers.get("authorization"),
      type: req.headers.get("content-type"),
      agent: req.headers.get("user-agent"),
      length: body.byteLength,
      sha: createHash("sha256").update(body).digest("hex"),
    };
    return Response.json(answer, { headers: { "x-method": req.method } });
  },
});
const base = `http://127.0.0.1:${echo.port}`;
afterAll(() => void echo.stop(true));

/** A spec with defaults: GET of `path` on the echo server. */
function spec(fields: Partial<SendSpec> & { method?: HttpMethod } = {}): SendSpec {
  return { request: 0, method: "GET", url: `${base}/echo`, headers: [], body: null, captureBodyBytes: 0, ...fields };
}

interface Sent {
  status: number;
  error?: unknown;
  info?: ResponseInfo;
}

function send(pool: Http1Pool, s: SendSpec): Promise<Sent> {
  return new Promise((resolve) => pool.send(never, (status, error, _tooLarge, info) => resolve({ status, ...(error !== undefined ? { error } : {}), ...(info ? { info } : {}) }), s));
}

function json(info: ResponseInfo | undefined): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(info?.body));
}

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("Http1Pool with a SendSpec", () => {
  // Loopback takes 2 MiB in one write; 8 MiB is past what the socket accepts at once, so it
  // goes out through the drain callback (the pool's `unsent` path).
  test("POSTs a 1 KiB JSON body, a 2 MiB and an 8 MiB body intact, with their headers, on one kept-alive connection", async () => {
    clientPorts.clear();
    const pool = new Http1Pool(new URL(base), 1);
    const small = new TextEncoder().encode(JSON.stringify({ pad: "x".repeat(1000) }));
    const large = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const headers: [string, string][] = [["content-type", "application/json"], ["authorization", "Bearer t0k3n"]];
    const a = await send(pool, spec({ method: "POST", body: small, headers, captureBodyBytes: 4096 }));
    const b = await send(pool, spec({ method: "POST", body: large, headers: [["content-type", "application/octet-stream"]], captureBodyBytes: 4096 }));
    const huge = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 13) & 0xff);
    const c = await send(pool, spec({ method: "POST", body: huge, captureBodyBytes: 4096 }));
    pool.close();
    expect({ a: json(a.info), b: json(b.info), c: json(c.info).sha === sha(huge), statuses: [a.status, b.status, c.status], connections: clientPorts.size }).toEqual({
      a: { method: "POST", path: "/echo", auth: "Bearer t0k3n", type: "application/json", agent: "kafka-loadtest", length: small.byteLength, sha: sha(small) },
      b: { method: "POST", path: "/echo", auth: null, type: "application/octet-stream", agent: "kafka-loadtest", length: large.byteLength, sha: sha(large) },
      c: true,
      statuses: [200, 200, 200],
      connections: 1,
    });
  });

  test("sends PUT, PATCH, DELETE, OPTIONS and HEAD; a HEAD's response has no body and the connection goes on", async () => {
    clientPorts.clear();
    const pool = new Http1Pool(new URL(base), 1);
    const seen: Record<string, unknown> = {};
    for (const method of ["PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
      const r = await send(pool, spec({ method, url: `${base}/echo?m=${method}`, body: new TextEncoder().encode(method), captureBodyBytes: 4096 }));
      const body = json(r.info);
      seen[method] = { status: r.status, method: body.method, path: body.path, length: body.length };
    }
    // The echo answers HEAD with the JSON's Content-Length and no body: the pool must not wait for one.
    const head = await send(pool, spec({ method: "HEAD", captureBodyBytes: 4096 }));
    const after = await send(pool, spec({ captureBodyBytes: 4096 }));
    pool.close();
    expect({ seen, head: { status: head.status, body: head.info?.body?.byteLength }, after: json(after.info).method, connections: clientPorts.size }).toEqual({
      seen: {
        PUT: { status: 200, method: "PUT", path: "/echo?m=PUT", length: 3 },
        PATCH: { status: 200, method: "PATCH", path: "/echo?m=PATCH", length: 5 },
        DELETE: { status: 200, method: "DELETE", path: "/echo?m=DELETE", length: 6 },
        OPTIONS: { status: 200, method: "OPTIONS", path: "/echo?m=OPTIONS", length: 7 },
      },
      head: { status: 200, body: 0 },
      after: "GET",
      connections: 1,
    });
  });

  test("keeps only the first captureBodyBytes of a body, across chunked framing; 0 keeps none", async () => {
    const pool = new Http1Pool(new URL(base), 2);
    const text = await send(pool, spec({ url: `${base}/text`, captureBodyBytes: 5 }));
    const chunked = await send(pool, spec({ url: `${base}/chunked`, captureBodyBytes: 8 }));
    const none = await send(pool, spec({ url: `${base}/text` }));
    pool.close();
    const decode = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
    expect({ text: decode(text.info?.body), chunked: decode(chunked.info?.body), none: none.info?.body }).toEqual({ text: "hello", chunked: "hello ch", none: undefined });
  });

  test("writes a spec's prebuilt wire as it is, and refuses a URL of another origin without writing", async () => {
    const pool = new Http1Pool(new URL(base), 1);
    const wire = new TextEncoder().encode(`GET /echo?prebuilt=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: wire\r\n\r\n`);
    const prebuilt = await send(pool, spec({ url: `${base}/ignored`, wire, captureBodyBytes: 4096 }));
    const elsewhere = await send(pool, spec({ url: "http://127.0.0.2:1/x" }));
    const injected = await send(pool, spec({ headers: [["x-evil", "a\r\nx-injected: 1"]] }));
    pool.close();
    const body = json(prebuilt.info);
    expect({
      prebuilt: { path: body.path, auth: body.auth, sent: prebuilt.info?.bytesSent },
      elsewhere: { status: elsewhere.status, sent: elsewhere.info?.bytesSent, error: String(elsewhere.error) },
      injected: { status: injected.status, error: String(injected.error) },
    }).toEqual({
      prebuilt: { path: "/echo?prebuilt=1", auth: "wire", sent: wire.byteLength },
      elsewhere: { status: 0, sent: 0, error: `Error: http://127.0.0.2:1/x is not on ${base}` },
      injected: { status: 0, error: "Error: header x-evil holds a line break" },
    });
  });
});

/** A raw TCP target that answers each request with `reply` (optionally closing after it), counting requests it saw. */
function rawTarget(reply: string, closeAfterReply: boolean) {
  let connections = 0;
  let requests = 0;
  const received: number[] = [];
  const listener = Bun.listen<{ bytes: number }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        connections++;
        socket.data = { bytes: 0 };
      },
      data(socket, chunk) {
        socket.data.bytes += chunk.byteLength;
        const text = chunk.toString("latin1");
        if (!text.includes("\r\n\r\n")) return;
        requests++;
        received.push(socket.data.bytes);
        socket.data.bytes = 0;
        socket.write(reply);
        if (closeAfterReply) socket.end();
      },
    },
  });
  return { url: `http://127.0.0.1:${listener.port}/`, connections: () => connections, requests: () => requests, received, stop: () => listener.stop(true) };
}

describe("Http1Pool byte counts and retries", () => {
  test("counts the bytes written and received for each request exactly", async () => {
    const reply = "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello";
    const target = rawTarget(reply, false);
    const pool = new Http1Pool(new URL(target.url), 1);
    const s = spec({ method: "PUT", url: `${target.url}items/1`, headers: [["x-a", "b"]], body: new TextEncoder().encode("{}") });
    const r = await send(pool, s);
    pool.close();
    target.stop();
    const expectedSent = buildRequest(s, originOf(new URL(target.url)), "kafka-loadtest").byteLength;
    expect({ status: r.status, info: r.info, serverSaw: target.received }).toEqual({
      status: 201,
      info: { bytesSent: expectedSent, bytesReceived: reply.length },
      serverSaw: [expectedSent],
    });
  });

  test("sends a GET again after a stale keep-alive but never a POST: it fails as a connection error", async () => {
    // The target closes each connection after its answer without saying so: a request written
    // in the same turn as the answer goes to a connection that is already closing.
    const run = async (method: HttpMethod) => {
      const target = rawTarget("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);
      const pool = new Http1Pool(new URL(target.url), 1);
      const second = await new Promise<Sent>((resolve) => {
        pool.send(never, () => void send(pool, spec({ method, url: target.url, body: method === "POST" ? new Uint8Array(3) : null })).then(resolve), spec({ method, url: target.url }));
      });
      pool.close();
      target.stop();
      return { status: second.status, answered: target.requests(), connections: target.connections() };
    };
    expect({ get: await run("GET"), post: await run("POST") }).toEqual({
      get: { status: 200, answered: 2, connections: 2 },
      post: { status: 0, answered: 1, connections: 1 },
    });
  });
});
