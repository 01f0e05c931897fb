import type { Socket } from "bun";
import type { ConnSet } from "./conn-set.ts";
import type { Http1ResponseParser } from "./http1-parser.ts";
import type { HttpPoolOptions, RequestDone } from "./http-pool.ts";
import type { ResponseInfo } from "./scenario/request-spec.ts";

/** One request of an {@link Http1Pool}, queued or on a connection. */
export interface Pending {
  done: RequestDone;
  signal: AbortSignal;
  /** A request that failed on a reused connection before any byte came back is retried once, on a new connection. */
  retried: boolean;
  /** What to write: the pool's prebuilt GET, or a spec's request. */
  bytes: Uint8Array;
  /** A scenario's send counts its bytes and hands them back; null for the prebuilt GET. */
  info: ResponseInfo | null;
  /** The request was a HEAD (its response has no body). */
  noBody: boolean;
  /** Body bytes to keep for `info.body`. */
  capture: number;
  /** Whether it may be sent again after a stale keep-alive (never a POST or PATCH). */
  idempotent: boolean;
}

/** One keep-alive connection of an {@link Http1Pool}. */
export interface Conn {
  socket: Socket<Conn> | null;
  parser: Http1ResponseParser;
  pending: Pending | null;
  /** Responses completed on this connection: a failure after one may be a stale keep-alive. */
  served: number;
  /** Bytes of the request not yet accepted by the socket (backpressure). */
  unsent: Uint8Array | null;
  closed: boolean;
  /** Still connecting (TCP, or the TLS handshake): counted in the pool's `opening`. */
  connecting: boolean;
  /** Its index in the pool's busy {@link ConnSet} (-1: not busy). */
  setIndex: number;
}

/** Where a pool connects: host, port, and TLS settings for https (null for plain http). */
export interface ConnectTarget {
  hostname: string;
  port: number;
  tls: { serverName: string; rejectUnauthorized: boolean } | null;
}

/** What the socket's callbacks tell the pool that owns the connection. */
export interface ConnEvents {
  /** The connection is usable (TCP connected, or the TLS handshake done). */
  opened(conn: Conn): void;
  /** It never opened (refused, or TLS rejected); `conn` is already marked closed. */
  connectFailed(conn: Conn, error: unknown): void;
  onData(conn: Conn, chunk: Uint8Array): void;
  onClosed(conn: Conn, error: unknown): void;
}

/** The connect target of an http(s) URL; the certificate is checked unless `tlsInsecure`. */
export function connectTargetOf(url: URL, options: HttpPoolOptions): ConnectTarget {
  const https = url.protocol === "https:";
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  return { hostname, port: Number(url.port || (https ? 443 : 80)), tls: https ? { serverName: hostname, rejectUnauthorized: options.tlsInsecure !== true } : null };
}

/**
 * Opens `conn`'s socket with `Bun.connect` (TLS when the target has it) and routes its
 * callbacks to `events`; a large request's rest is written on `drain`.
 */
export function connect(target: ConnectTarget, conn: Conn, events: ConnEvents): void {
  const tls = target.tls;
  Bun.connect<Conn>({
    hostname: target.hostname,
    port: target.port,
    data: conn,
    ...(tls !== null ? { tls } : {}),
    socket: {
      open(socket) {
        conn.socket = socket;
        socket.setNoDelay(true);
        // A TLS connection is ready once its handshake is (bytes written before would be lost).
        if (tls === null) events.opened(conn);
      },
      handshake(socket, success, authorizationError) {
        // Bun 1.4.5 reports success=false for a certificate it would reject (self-signed, another
        // name) even with rejectUnauthorized off, and then keeps the connection open: insecure, it is usable.
        if (success || !tls!.rejectUnauthorized) return events.opened(conn);
        conn.closed = true;
        socket.terminate();
        const reason = authorizationError === null ? "TLS handshake failed" : `TLS certificate rejected: ${(authorizationError as Error & { code?: string }).code ?? authorizationError.message} (tls_insecure accepts it)`;
        events.connectFailed(conn, new Error(reason));
      },
      data(_socket, chunk) {
        events.onData(conn, chunk);
      },
      drain(socket) {
        if (conn.unsent === null) return;
        const written = socket.write(conn.unsent);
        conn.unsent = written < conn.unsent.byteLength ? conn.unsent.subarray(Math.max(0, written)) : null;
      },
      close() {
        events.onClosed(conn, new Error("connection closed by the server"));
      },
      end() {
        events.onClosed(conn, new Error("connection closed by the server"));
      },
      error(_socket, error) {
        events.onClosed(conn, error);
      },
      connectError(_socket, error) {
        conn.closed = true;
        events.connectFailed(conn, error);
      },
    },
  }).catch((error: unknown) => {
    // Bun rejects the promise as well as calling connectError; count the failure once.
    if (!conn.closed) {
      conn.closed = true;
      events.connectFailed(conn, error);
    }
  });
}
