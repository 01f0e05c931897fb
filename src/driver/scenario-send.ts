import { drainBody } from "./drain-body.ts";
import { estimateRequestBytes, estimateResponseHeadBytes } from "./fetch-bytes.ts";
import type { HttpPool } from "./http-pool.ts";
import { originKey } from "./origin-key.ts";
import { outcomeOfFailure, outcomeOfStatus, type Outcome } from "./outcome.ts";
import type { OutcomeDetail, RequestSource, SendSpec } from "./scenario/request-spec.ts";
import type { CheckResponse } from "./scenario-hooks.ts";
import { errorMessage, type SendHost } from "./send-sink.ts";

/**
 * A scenario's sends for one {@link SendLoop}: send i is the request source's
 * `next(seqOffset + i × seqStride)`, through a pool per origin (each opened on its first send)
 * or, for an origin no pool serves, through fetch. Each outcome carries its request, check
 * result and bytes ({@link OutcomeDetail}).
 */
export class ScenarioSender {
  /** Pools by origin as spelled in the URLs (null: that origin goes through fetch). */
  private readonly pools = new Map<string, HttpPool | null>();

  constructor(
    private readonly host: SendHost,
    private readonly source: RequestSource,
    /** Opens the pool of a URL's origin; null when fetch must send there. */
    private readonly openPool: (url: string) => HttpPool | null,
    private readonly checkResponse: CheckResponse | undefined,
    private readonly seqOffset: number,
    private readonly seqStride: number,
  ) {}

  /** Sends this loop's send `index` (the test's send `seqOffset + index × seqStride`), due at `dueMs`. */
  send(index: number, dueMs: number): void {
    let spec: SendSpec;
    try {
      spec = this.source.next(this.seqOffset + index * this.seqStride);
    } catch (error) {
      // A bug in the source must not leave the slot taken forever: counted as a failed send.
      const { clock, sink } = this.host;
      const at = clock.mono();
      this.host.noteError(new Error(`request source: ${errorMessage(error)}`));
      sink.onSend(at, dueMs, undefined);
      try {
        sink.onOutcome("connection_error", 0, at - dueMs, undefined, undefined);
      } finally {
        this.host.settled();
      }
      return;
    }
    const pool = this.poolFor(spec.url);
    if (pool !== null) this.sendPooled(pool, spec, dueMs);
    else void this.sendFetch(spec, dueMs).finally(this.host.settled);
  }

  /** Closes every pool opened. */
  close(): void {
    for (const pool of this.pools.values()) pool?.close();
    this.pools.clear();
  }

  /** The pool of `url`'s origin, opened on its first send; null when fetch sends there. */
  private poolFor(url: string): HttpPool | null {
    const key = originKey(url);
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = this.openPool(url);
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** A spec through its origin's pool, with callbacks (as the loop's plain pooled send). */
  private sendPooled(pool: HttpPool, spec: SendSpec, dueMs: number): void {
    const { clock, sink, timeouts } = this.host;
    const startedMs = clock.mono();
    const timeout = timeouts.acquire(startedMs);
    sink.onSend(startedMs, dueMs, spec.request);
    pool.send(
      timeout.signal,
      (status, error, bodyTooLarge, info) => {
        const endMs = clock.mono();
        timeouts.release(timeout, endMs);
        let outcome: Outcome;
        if (status !== 0) outcome = outcomeOfStatus(status);
        else {
          outcome = outcomeOfFailure(timeout.signal);
          if (outcome !== "stopped") this.host.noteError(error);
        }
        try {
          const detail = this.detailOf(spec, status, endMs - startedMs, info?.body, info?.bytesSent ?? 0, info?.bytesReceived ?? 0);
          sink.onOutcome(outcome, endMs - startedMs, endMs - dueMs, bodyTooLarge, detail);
        } finally {
          // The pool has called back: it writes nothing more of this request, so its bytes may be reused.
          this.source.release?.(spec);
          this.host.settled();
        }
      },
      spec,
    );
  }

  /** A spec through fetch (an origin the pool does not serve): bytes estimated (fetch-bytes.ts). */
  private async sendFetch(spec: SendSpec, dueMs: number): Promise<void> {
    const { clock, fetch, sink, timeouts } = this.host;
    const startedMs = clock.mono();
    const timeout = timeouts.acquire(startedMs);
    sink.onSend(startedMs, dueMs, spec.request);
    let outcome: Outcome;
    let endMs: number;
    let status = 0;
    let bodyTooLarge = false;
    let body: Uint8Array | undefined;
    let bytesReceived = 0;
    try {
      const init: RequestInit = { method: spec.method, headers: spec.headers as [string, string][], signal: timeout.signal, redirect: "manual", ...this.host.tlsInit };
      if (spec.body !== null) init.body = spec.body as Uint8Array<ArrayBuffer>;
      const res = await fetch(spec.url, init);
      bytesReceived = estimateResponseHeadBytes(res);
      const drained = await drainBody(res, this.host.maxBodyBytes, spec.captureBodyBytes);
      bytesReceived += drained.bytes;
      bodyTooLarge = drained.tooLarge;
      body = drained.body;
      status = res.status;
      outcome = outcomeOfStatus(status);
    } catch (error) {
      outcome = outcomeOfFailure(timeout.signal);
      if (outcome !== "stopped") this.host.noteError(error);
    } finally {
      endMs = clock.mono();
      timeouts.release(timeout, endMs);
    }
    const detail = this.detailOf(spec, status, endMs - startedMs, body, estimateRequestBytes(spec), bytesReceived);
    sink.onOutcome(outcome, endMs - startedMs, endMs - dueMs, bodyTooLarge, detail);
  }

  /** The per-request detail of a send; its checks are evaluated only when a response came back. */
  private detailOf(spec: SendSpec, status: number, latencyMs: number, body: Uint8Array | undefined, bytesSent: number, bytesReceived: number): OutcomeDetail {
    const checks = this.source.requests[spec.request]?.checks ?? null;
    const check = this.checkResponse;
    const checkFailure = status !== 0 && checks !== null && check !== undefined ? check(checks, status, latencyMs, body) : null;
    return checkFailure === null ? { request: spec.request, bytesSent, bytesReceived } : { request: spec.request, checkFailure, bytesSent, bytesReceived };
  }
}
