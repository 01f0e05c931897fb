import type { Socket } from "bun";
import { MAX_BODY_BYTES } from "./defaults.ts";
import { Http1ResponseParser } from "./http1-parser.ts";
import type { HttpPool, HttpPoolOptions, OpenHttpPool, RequestDone } from "./http-pool.ts";

export type { HttpPool, HttpPoolOptions, OpenHttpPool, RequestDone } from "./http-pool.ts";

interface Pending {
  done: RequestDone;
  signal: AbortSignal;
  /** A request that failed on a reused connection before any byte came back is retried once, on a new connection. */
  retried: boolean;
}

interface Conn {
  socket: Socket<Conn> | null;
  parser: Http1ResponseParser;
  pending: Pending | null;
  /** Responses completed on this connection: a failure after one may be a stale keep-alive. */
  served: number;
  /** Bytes of the request not yet accepted by the socket (backpressure). */
  unsent: Uint8Array | null;
  closed: boolean;
}

/** Largest response head accepted: a longer one is a protocol error, not a buffer to grow forever. */
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * HTTP/1.1 keep-alive connections to one plain-http origin, one request at a time on each (no
 * pipelining), at most `maxConnections` of them. Bun 1.4's fetch parks only 64 idle sockets per
 * process and closes the rest, so above 64 requests in flight every request pays a new TCP
 * connection; this pool keeps one connection per slot instead, and skips fetch's Request,
 * Headers and Response objects on the hot path. Only GET of the test URL, no redirects
 * followed (like fetch with `redirect: "manual"`), the body read to its end and discarded
 * (a body past `maxBodyBytes` is abandoned: the connection closes).
 *
 * A server may close a kept-alive connection at any moment (after each response without
 * saying `Connection: close`, after N requests, on an idle timeout); a request written to such
 * a connection fails before any byte of its response arrives. That request is sent again once,
 * on a connection opened for it (never another idle one, which may be just as stale); only a
 * request that fails on a fresh connection, or after response bytes arrived, is a failure.
 * Browsers and undici retry the same way. With only GET today that is always safe; a
 * non-idempotent method (a later POST scenario) could reach a server that processed it and
 * closed without answering, so such a retry must then be opt-in or limited to idempotent methods.
 */
export class Http1Pool implements HttpPool {
  private readonly idle: Conn[] = [];
  private readonly busy = new Set<Conn>();
  private readonly waiting: Pending[] = [];
  /** Requests to send again on a connection of their own, served before `waiting` by new connections. */
  private readonly retrying: Pending[] = [];
  private opening = 0;
  private closed = false;
  private readonly requestBytes: Uint8Array;
  private readonly watched = new WeakSet<AbortSignal>();
  private readonly maxBodyBytes: number;

  constructor(
    private readonly url: URL,
    private readonly maxConnections: number,
    userAgent = "kafka-loadtest",
    options: HttpPoolOptions = {},
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    const path = `${url.pathname || "/"}${url.search}`;
    this.requestBytes = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\n\r\n`, "latin1");
  }

  request(signal: AbortSignal): Promise<number> {
    return new Promise<number>((resolve, reject) => this.send(signal, (status, error) => (status === 0 ? reject(error) : resolve(status))));
  }

  send(signal: AbortSignal, done: RequestDone): void {
    // Never synchronously: a caller that sends again from `done` must not recurse.
    if (signal.aborted) return queueMicrotask(() => done(0, signal.reason));
    if (this.closed) return queueMicrotask(() => done(0, new Error("connection pool is closed")));
    this.watch(signal);
    this.dispatch({ done, signal, retried: false });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.retrying.splice(0), ...this.waiting.splice(0)]) p.done(0, new Error("connection pool is closed"));
    for (const conn of [...this.idle, ...this.busy]) this.destroy(conn, new Error("connection pool is closed"));
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
    const written = socket.write(this.requestBytes);
    if (written < this.requestBytes.byteLength) conn.unsent = this.requestBytes.subarray(Math.max(0, written));
  }

  private open(): void {
    this.opening++;
    const conn: Conn = { socket: null, parser: new Http1ResponseParser(MAX_HEAD_BYTES), pending: null, served: 0, unsent: null, closed: false };
    const pool = this;
    Bun.connect<Conn>({
      hostname: this.url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(this.url.port || 80),
      data: conn,
      socket: {
        open(socket) {
          pool.opening--;
          conn.socket = socket;
          socket.setNoDelay(true);
          if (pool.closed) return pool.destroy(conn, new Error("connection pool is closed"));
          pool.ready(conn, true);
        },
        data(_socket, chunk) {
          pool.onData(conn, chunk);
        },
        drain(socket) {
          if (conn.unsent === null) return;
          const written = socket.write(conn.unsent);
          conn.unsent = written < conn.unsent.byteLength ? conn.unsent.subarray(Math.max(0, written)) : null;
        },
        close() {
          pool.onClosed(conn, new Error("connection closed by the server"));
        },
        end() {
          pool.onClosed(conn, new Error("connection closed by the server"));
        },
        error(_socket, error) {
          pool.onClosed(conn, error);
        },
        connectError(_socket, error) {
          pool.opening--;
          conn.closed = true;
          pool.onConnectFailed(error);
        },
      },
    }).catch((error: unknown) => {
      // Bun rejects the promise as well as calling connectError; count the failure once.
      if (!conn.closed) {
        pool.opening--;
        conn.closed = true;
        pool.onConnectFailed(error);
      }
    });
  }

  /**
   * A connection is free: it takes the oldest waiting request, or waits in the idle stack. A new
   * (`fresh`) one serves a request being retried first: only a new connection can tell a stale
   * keep-alive from a real failure.
   */
  private ready(conn: Conn, fresh = false): void {
    this.busy.delete(conn);
    conn.pending = null;
    const next = (fresh ? this.retrying.shift() : undefined) ?? this.waiting.shift();
    if (next !== undefined) this.write(conn, next);
    else this.idle.push(conn);
  }

  private onData(conn: Conn, chunk: Uint8Array): void {
    const p = conn.pending;
    if (p === null) return this.destroy(conn, new Error("unexpected bytes from the server"));
    const state = conn.parser.push(chunk);
    if (state === "more") {
      if (conn.parser.bodyBytes() > this.maxBodyBytes) this.abandonBody(conn, p);
      return;
    }
    if (state === "error") return this.destroy(conn, new Error(`bad response from the server: ${conn.parser.error}`));
    const status = conn.parser.status;
    const keepAlive = conn.parser.keepAlive && !conn.parser.hasExtraBytes;
    conn.parser.reset();
    conn.served++;
    if (keepAlive && !this.closed) this.ready(conn);
    else {
      conn.pending = null;
      this.destroy(conn, null);
    }
    p.done(status, undefined);
  }

  /** The body passed the cap: the request ends with its status, flagged, and its connection closes. */
  private abandonBody(conn: Conn, p: Pending): void {
    const status = conn.parser.status;
    conn.pending = null;
    this.destroy(conn, null);
    p.done(status, undefined, true);
  }

  /**
   * The socket ended: a response that runs to the close completes; a request that got no byte
   * back on a reused connection goes out again on a new one (see the class comment); anything
   * else fails.
   */
  private onClosed(conn: Conn, error: unknown): void {
    if (conn.closed) return;
    const p = conn.pending;
    if (p !== null && conn.parser.endOfStream() === "done") {
      conn.pending = null;
      conn.served++;
      const status = conn.parser.status;
      this.forget(conn);
      p.done(status, undefined);
      return;
    }
    const retry = p !== null && !p.retried && conn.served > 0 && conn.parser.isFresh() && !this.closed;
    if (retry) {
      conn.pending = null;
      p.retried = true;
      this.retrying.push(p);
    }
    // destroy() opens the connection the retry needs (it counts `retrying`).
    this.destroy(conn, error);
  }

  private onConnectFailed(error: unknown): void {
    // The oldest waiting request fails with the reason (a retried one first: its new connection
    // is what failed); the others get a fresh attempt each.
    const p = this.retrying.shift() ?? this.waiting.shift();
    p?.done(0, error);
    const queued = this.retrying.length + this.waiting.length;
    if (queued > this.busy.size + this.opening && this.busy.size + this.opening < this.maxConnections) this.open();
  }

  private destroy(conn: Conn, error: unknown): void {
    this.forget(conn);
    const p = conn.pending;
    conn.pending = null;
    if (p !== null) p.done(0, error ?? new Error("connection closed"));
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
        p.done(0, signal.reason);
      }
    }
    for (const conn of [...this.busy]) {
      if (conn.pending?.signal === signal) this.destroy(conn, signal.reason);
    }
  }
}

/** The pool for plain http:// URLs; null for anything else (https goes through fetch). */
export const openHttp1Pool: OpenHttpPool = (url, maxConnections, options) => {
  const parsed = new URL(url);
  return parsed.protocol === "http:" ? new Http1Pool(parsed, maxConnections, undefined, options) : null;
};
