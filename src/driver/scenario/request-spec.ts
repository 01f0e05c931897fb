/**
 * The scenario feature's shapes inside the driver (issue 11), shared by the planner
 * (run-plan.ts), the request source (scenario/), the send loop, the HTTP pools and the stats.
 * A plan without `requests` sends one GET of its URL exactly as before (the pool's prebuilt
 * request, no SendSpec at all).
 */

/** Methods a scenario request may use. */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/** What a response must satisfy; every field optional, a request's own checks replace the test's. */
export interface PlannedChecks {
  /** Accepted statuses (absent: any). */
  status?: number[];
  /** The body must contain this text (the body is then read, up to 64 KiB). */
  bodyIncludes?: string;
  /** Latency (send to last byte) at most this many ms. */
  maxLatencyMs?: number;
}

/** One request of a scenario, resolved by the planner: absolute URL, defaults filled in. */
export interface PlannedRequest {
  /** Unique within the test; default `METHOD path`. */
  name: string;
  method: HttpMethod;
  /** Absolute http(s) URL; may hold `${...}` templates. */
  url: string;
  /** Header names and values in order; values may hold templates. */
  headers: [name: string, value: string][];
  /** The body as text (a JSON value already stringified), may hold templates; null: none. */
  body: string | null;
  /** Positive integer weight of the smooth weighted round-robin. */
  weight: number;
  /** The checks this request's responses get (its own, else the test's); null: none. */
  checks: PlannedChecks | null;
}

/** One send, as the send loop hands it to a pool: templates expanded. */
export interface SendSpec {
  /** Index of the request in `plan.requests` (per-request statistics are kept by index). */
  request: number;
  method: HttpMethod;
  /** Absolute URL of this send. */
  url: string;
  headers: readonly [name: string, value: string][];
  body: Uint8Array | null;
  /**
   * The whole HTTP/1.1 request (head and body), built once when nothing in the request is
   * templated: a pool for that URL's origin may write it as it is.
   */
  wire?: Uint8Array;
  /** Read up to this many body bytes and return them (a `body_includes` check); 0: drain and discard. */
  captureBodyBytes: number;
}

/** What a pool hands back beside the status, for a send made with a {@link SendSpec}. */
export interface ResponseInfo {
  /** The first `captureBodyBytes` bytes of the body, when asked for. */
  body?: Uint8Array;
  /** Bytes written for this request (head and body). */
  bytesSent: number;
  /** Bytes received for its response (head and body). */
  bytesReceived: number;
}

/** Picks and builds the test's sends: `next(seq)` for the test's (not the worker's) 0-based send index. */
export interface RequestSource {
  /** The requests, in plan order (their names label the statistics). */
  readonly requests: readonly PlannedRequest[];
  /** Send `seq` of this driver: smooth weighted round-robin pick, templates expanded. */
  next(seq: number): SendSpec;
  /**
   * Optional: the send of `spec` has ended and nothing reads its bytes any more (its pool has
   * written what it will write and called back): the source may reuse its buffers for a later
   * send. Called at most once per spec, and only by a sender that knows the bytes are free.
   */
  release?(spec: SendSpec): void;
}

/** How one send ended beyond its outcome class, for the per-request statistics. */
export interface OutcomeDetail {
  /** Index of the request in `plan.requests`. */
  request: number;
  /** Why the response failed its checks (first failing check), when it did. */
  checkFailure?: string;
  bytesSent: number;
  bytesReceived: number;
}
