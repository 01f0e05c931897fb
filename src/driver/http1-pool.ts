import { ConnSet } from "./conn-set.ts";
import { MAX_BODY_BYTES } from "./defaults.ts";
import { Http1ResponseParser } from "./http1-parser.ts";
import type { HttpPool, HttpPoolOptions, OpenHttpPool, RequestDone } from "./http-pool.ts";
import { connect, connectTargetOf, type Conn, type ConnEvents, type ConnectTarget, type Pending } from "./http1-connect.ts";
import { canUseWire, isIdempotent, originOf, RequestBuilder, type PoolOrigin } from "./http1-request.ts";
import type { ResponseInfo, SendSpec } from "./scenario/request-spec.ts";

export type { HttpPool, HttpPoolOptions, OpenHttpPool, RequestDone } from "./http-pool.ts";

/** Largest response head accepted: a longer one is a protocol error, not a buffer to grow forever. */
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * HTTP/1.1 keep-alive connections to one origin, plain http or https (TLS through
 * `Bun.connect`, the certificate checked unless `tlsInsecure`), one request at a time on each (no
 * pipelining), at most `maxConnections` of them. Bun 1.4's fetch parks only 64 idle sockets per
 * process and closes the rest, so above 64 requests in flight every request pays a new TCP
 * connection; this pool keeps one connection per slot instead, and skips fetch's Request,
 * Headers and Response objects on the hot path. It sends a prebuilt GET of its URL, or a
 * scenario's {@link SendSpec} (any method, headers and body; its prebuilt `wire` as it is);
 * no redirects followed (like fetch with `redirect: "manual"`), the body read to its end and
 * discarded (a body past `maxBodyBytes` is abandoned: the connection closes) unless a spec
 * asks to keep its first bytes. A large request body goes out as the socket accepts it (the
 * `drain` callback writes the rest); a response that comes back before the whole request
 * went out ends that connection (it cannot be reused in the middle of a request).
 *
 * A server may close a kept-alive connection at any moment (after each response without
 * saying `Connection: close`, after N requests, on an idle timeout); a request written to such
 * a connection fails before any byte of its response arrives. That request is sent again once,
 * on a connection opened for it (never another idle one, which may be just as stale); only a
 * request that fails on a fresh connection, or after response bytes arrived, is a failure.
 * Browsers and undici retry the same way, and so only for idempotent methods: a POST or PATCH
 * may have reached a server that processed it and closed without answering, so it is never
 * sent twice; it fails as a connection error instead.
 */
export class Http1Pool implements HttpPool, ConnEvents {
  private readonly idle: Conn[] = [];
  private readonly busy = new ConnSet<Conn>();
  private readonly waiting: Pending[] = [];
  /** Requests to send again on a connection of their own, served before `waiting` by new connections. */
  private readonly retrying: Pending[] = [];
  private opening = 0;
  private closed = false;
  private readonly requestBytes: Uint8Array;
  private readonly watched = new WeakSet<AbortSignal>();
  private lastWatched: AbortSignal | null = null;
  private readonly maxBodyBytes: number;
  private readonly origin: PoolOrigin;
  private readonly target: ConnectTarget;
  private readonly builder: RequestBuilder;

  constructor(
    url: URL,
    private readonly maxConnections: number,
    userAgent = "kafka-loadtest",
    options: HttpPoolOptions = {},
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    const path = `${url.pathname || "/"}${url.search}`;
    this.requestBytes = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\n\r\n`, "latin1");
    this.origin = originOf(url);
    this.builder = new RequestBuilder(this.origin, userAgent);
    this.target = connectTargetOf(url, options);
  }

  request(signal: AbortSignal): Promise<number> {
    return new Promise<number>((resolve, reject) => this.send(signal, (status, error) => (status === 0 ? reject(error) : resolve(status))));
  }

  send(signal: AbortSignal, done: RequestDone, spec?: SendSpec): void {
    // Never synchronously: a caller that sends again from `done` must not recurse.
    if (signal.aborted) return queueMicrotask(() => done(0, signal.reason));
    if (this.closed) return queueMicrotask(() => done(0, new Error("connection pool is closed")));
    this.watch(signal);
    if (spec === undefined) {
      this.dispatch({ done, signal, retried: false, bytes: this.requestBytes, info: null, noBody: false, capture: 0, idempotent: true });
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = canUseWire(spec, this.origin) ? spec.wire! : this.builder.build(spec);
    } catch (error) {
      const info: ResponseInfo = { bytesSent: 0, bytesReceived: 0 };
      return queueMicrotask(() => done(0, error, false, info));
    }
    const info: ResponseInfo = { bytesSent: 0, bytesReceived: 0 };
    this.dispatch({ done, signal, retried: false, bytes, info, noBody: spec.method === "HEAD", capture: Math.min(spec.captureBodyBytes, this.maxBodyBytes), idempotent: isIdempotent(spec.method) });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.retrying.splice(0), ...this.waiting.splice(0)]) fail(p, new Error("connection pool is closed"));
    for (const conn of [...this.idle, ...this.busy.toArray()]) this.destroy(conn, new Error("connection pool is closed"));
    this.idle.length = 0;
  }

  private dispatch(p: Pending): void {
    const conn = this.idle.pop();
    if (conn !== undefined) return this.write(conn, p);
    this.waiting.push(p);
    if (this.busy.size + this.opening < this.maxConnections) this.open();
  }

  private write(conn: Conn, p: Pending): void {
    conn.pending = p;
    this.busy.add(conn);
    const socket = conn.socket!;
    const bytes = p.bytes;
    if (p.info !== null) {
      conn.parser.noBody = p.noBody;
      conn.parser.captureMax = p.capture;
      // A retried request is written twice: both count, as on the wire.
      p.info.bytesSent += bytes.byteLength;
    }
    const written = socket.write(bytes);
    if (written < bytes.byteLength) conn.unsent = bytes.subarray(Math.max(0, written));
  }

  private open(): void {
    this.opening++;
    const conn: Conn = { socket: null, parser: new Http1ResponseParser(MAX_HEAD_BYTES), pending: null, served: 0, unsent: null, closed: false, connecting: true, setIndex: -1 };
    connect(this.target, conn, this);
  }

  /** A new connection is usable (TCP connected, or the TLS handshake done); called by http1-connect.ts. */
  opened(conn: Conn): void {
    this.opening--;
    conn.connecting = false;
    if (this.closed) return this.destroy(conn, new Error("connection pool is closed"));
    this.ready(conn, true);
  }

  /**
   * A connection is free: it takes the oldest waiting request, or waits in the idle stack. A new
   * (`fresh`) one serves a request being retried first: only a new connection can tell a stale
   * keep-alive from a real failure.
   */
  private ready(conn: Conn, fresh = false): void {
    this.busy.delete(conn);
    conn.pending = null;
    const next = fresh && this.retrying.length > 0 ? this.retrying.shift() : this.waiting.length > 0 ? this.waiting.shift() : undefined;
    if (next !== undefined) this.write(conn, next);
    else this.idle.push(conn);
  }

  /** Bytes from the server on `conn` (the hot path: one call per chunk). */
  onData(conn: Conn, chunk: Uint8Array): void {
    const p = conn.pending;
    if (p === null) return this.destroy(conn, new Error("unexpected bytes from the server"));
    if (p.info !== null) p.info.bytesReceived += chunk.byteLength;
    const state = conn.parser.push(chunk);
    if (state === "more") {
      if (conn.parser.bodyBytes() > this.maxBodyBytes) this.abandonBody(conn, p);
      return;
    }
    if (state === "error") return this.destroy(conn, new Error(`bad response from the server: ${conn.parser.error}`));
    const status = conn.parser.status;
    // A response before the whole request went out (an early 413): the connection is mid-request.
    const keepAlive = conn.parser.keepAlive && !conn.parser.hasExtraBytes && conn.unsent === null;
    if (p.info !== null && p.capture > 0) p.info.body = conn.parser.capturedBody();
    conn.parser.reset();
    conn.served++;
    if (keepAlive && !this.closed) this.ready(conn);
    else {
      conn.pending = null;
      this.destroy(conn, null);
    }
    if (p.info !== null) p.done(status, undefined, false, p.info);
    else p.done(status, undefined, false, undefined);
  }

  /** The body passed the cap: the request ends with its status, flagged, and its connection closes. */
  private abandonBody(conn: Conn, p: Pending): void {
    const status = conn.parser.status;
    if (p.info !== null && p.capture > 0) p.info.body = conn.parser.capturedBody();
    conn.pending = null;
    this.destroy(conn, null);
    if (p.info !== null) p.done(status, undefined, true, p.info);
    else p.done(status, undefined, true, undefined);
  }

  /**
   * The socket ended: a response that runs to the close completes; a request that got no byte
   * back on a reused connection goes out again on a new one (see the class comment); anything
   * else fails.
   */
  onClosed(conn: Conn, error: unknown): void {
    if (conn.closed) return;
    if (conn.connecting) {
      // Closed during the TLS handshake: a connection that never opened.
      this.opening--;
      conn.connecting = false;
      this.forget(conn);
      return this.onConnectFailed(error);
    }
    const p = conn.pending;
    if (p !== null && conn.parser.endOfStream() === "done") {
      conn.pending = null;
      conn.served++;
      const status = conn.parser.status;
      if (p.info !== null && p.capture > 0) p.info.body = conn.parser.capturedBody();
      this.forget(conn);
      if (p.info !== null) p.done(status, undefined, false, p.info);
      else p.done(status, undefined, false, undefined);
      return;
    }
    const retry = p !== null && p.idempotent && !p.retried && conn.served > 0 && conn.parser.isFresh() && !this.closed;
    if (retry) {
      conn.pending = null;
      p.retried = true;
      this.retrying.push(p);
    }
    // destroy() opens the connection the retry needs (it counts `retrying`).
    this.destroy(conn, error);
  }

  /** A connection never opened (http1-connect.ts marked it closed). */
  connectFailed(conn: Conn, error: unknown): void {
    this.opening--;
    conn.connecting = false;
    this.onConnectFailed(error);
  }

  private onConnectFailed(error: unknown): void {
    // The oldest waiting request fails with the reason (a retried one first: its new connection
    // is what failed); the others get a fresh attempt each.
    const p = this.retrying.shift() ?? this.waiting.shift();
    if (p !== undefined) fail(p, error);
    const queued = this.retrying.length + this.waiting.length;
    if (queued > this.busy.size + this.opening && this.busy.size + this.opening < this.maxConnections) this.open();
  }

  private destroy(conn: Conn, error: unknown): void {
    this.forget(conn);
    const p = conn.pending;
    conn.pending = null;
    if (p !== null) fail(p, error ?? new Error("connection closed"));
    // Waiting (and retried) requests need a connection in place of this one.
    if (!this.closed && this.waiting.length + this.retrying.length > this.opening && this.busy.size + this.opening < this.maxConnections) this.open();
  }

  private forget(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    this.busy.delete(conn);
    const at = this.idle.indexOf(conn);
    if (at !== -1) this.idle.splice(at, 1);
    conn.socket?.terminate();
  }

  /** One listener per signal (the send loop shares a signal across a slice of requests). */
  private watch(signal: AbortSignal): void {
    // Most sends in a row share one signal: the last one is checked without the WeakSet.
    if (signal === this.lastWatched) return;
    this.lastWatched = signal;
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener("abort", () => this.abortAll(signal), { once: true });
  }

  /** A request cannot be cancelled on HTTP/1.1 except by closing its connection. */
  private abortAll(signal: AbortSignal): void {
    for (const queue of [this.retrying, this.waiting]) {
      for (let i = queue.length - 1; i >= 0; i--) {
        const p = queue[i]!;
        if (p.signal !== signal) continue;
        queue.splice(i, 1);
        fail(p, signal.reason);
      }
    }
    for (const conn of this.busy.toArray()) {
      if (conn.pending?.signal === signal) this.destroy(conn, signal.reason);
    }
  }
}

/** A request ends without a response: with its ResponseInfo (bytes written so far) when it is a spec's. */
function fail(p: Pending, error: unknown): void {
  if (p.info !== null) p.done(0, error, false, p.info);
  else p.done(0, error, false, undefined);
}

/** The pool for http:// and https:// URLs; null for anything else (then fetch sends). */
export const openHttp1Pool: OpenHttpPool = (url, maxConnections, options) => {
  const parsed = new URL(url);
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? new Http1Pool(parsed, maxConnections, undefined, options) : null;
};
