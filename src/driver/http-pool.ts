import type { ResponseInfo, SendSpec } from "./scenario/request-spec.ts";

/**
 * Called once per request: with the status once the body has ended, or with the failure
 * (status 0). `bodyTooLarge` is true when the body passed the pool's cap and was abandoned
 * (the connection closed) after its status came back. `info`: for a send made with a
 * {@link SendSpec} only, its bytes and captured body prefix (also on a failure: what went out).
 */
export type RequestDone = (status: number, error: unknown, bodyTooLarge?: boolean, info?: ResponseInfo) => void;

/** Sends the test's one request and resolves with the response status once its body has ended. */
export interface HttpPool {
  /** Rejects on a connection failure, or with `signal.reason` when the signal aborts first. */
  request(signal: AbortSignal): Promise<number>;
  /**
   * The same without a promise: `done` runs from the socket's callback, so a caller that sends
   * its next request from there writes it in the same turn (the send loop's hot path). Without
   * `spec`, the pool's own GET of its URL (prebuilt); with one, that request (a scenario's
   * send: any method, headers and body, on the pool's origin) and `done` gets its ResponseInfo.
   */
  send(signal: AbortSignal, done: RequestDone, spec?: SendSpec): void;
  /** Closes every connection; requests still in flight reject. */
  close(): void;
}

/** What a pool may be told beyond its URL and size. */
export interface HttpPoolOptions {
  /** A response body longer than this is abandoned and reported with `bodyTooLarge` (default MAX_BODY_BYTES, defaults.ts). */
  maxBodyBytes?: number;
  /** https: accept any certificate (a self-signed one; the test's `tls_insecure`). */
  tlsInsecure?: boolean;
}

/** Opens a pool for a test's URL, or returns null when the pool cannot serve it (then fetch does). */
export type OpenHttpPool = (url: string, maxConnections: number, options?: HttpPoolOptions) => HttpPool | null;
