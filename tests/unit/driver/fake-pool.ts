import type { Clock } from "../../../src/driver/clock.ts";
import type { HttpPool, HttpPoolOptions, OpenHttpPool, RequestDone } from "../../../src/driver/http1-pool.ts";

/** How the fake pool answers one request: a status (0 = failure with `error`), and whether the body passed the cap. */
export interface FakeAnswer {
  status: number;
  error?: unknown;
  bodyTooLarge?: boolean;
}

interface Held {
  done: RequestDone;
  signal: AbortSignal;
  settled: boolean;
}

/**
 * A stand-in for http1-pool behind `openHttp`, as the send loop sees it: records when each
 * request was sent (fake time), answers on a later turn with `answer` (the clock's `defer`,
 * as the real pool answers from a socket callback, never inside `send`) or holds answers until `release()`,
 * and ends a request with `done(0, signal.reason)` when its signal aborts, as the real pool
 * does. Each request's `done` is called exactly once.
 */
export class FakePool implements HttpPool {
  readonly sentAt: number[] = [];
  /** What `openHttp` was asked for. */
  opened: { url: string; maxConnections: number; options: HttpPoolOptions | undefined } | null = null;
  closed = false;
  inFlight = 0;
  maxInFlight = 0;
  answer: FakeAnswer = { status: 200 };
  /** When true, answers wait for `release()`. */
  hold = false;
  private readonly waiting: Held[] = [];

  constructor(private readonly clock: Clock) {}

  /** The `openHttp` dependency that hands out this pool. */
  readonly open: OpenHttpPool = (url, maxConnections, options) => {
    this.opened = { url, maxConnections, options };
    return this;
  };

  request(): Promise<number> {
    throw new Error("the send loop uses send()");
  }

  send(signal: AbortSignal, done: RequestDone): void {
    if (this.closed) throw new Error("send on a closed pool");
    this.sentAt.push(this.clock.mono());
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const held: Held = { done, signal, settled: false };
    signal.addEventListener("abort", () => this.end(held, { status: 0, error: signal.reason }), { once: true });
    if (this.hold) this.waiting.push(held);
    else {
      const answer = this.answer;
      this.clock.defer(() => this.end(held, answer));
    }
  }

  /** Answers up to `n` held requests, oldest first, with `answer` (default: the pool's). */
  release(n = Infinity, answer: FakeAnswer = this.answer): number {
    const batch = this.waiting.splice(0, n).filter((h) => !h.settled);
    for (const held of batch) this.end(held, answer);
    return batch.length;
  }

  /** Requests held and not yet ended. */
  get held(): number {
    return this.waiting.filter((h) => !h.settled).length;
  }

  close(): void {
    this.closed = true;
  }

  private end(held: Held, answer: FakeAnswer): void {
    if (held.settled) return;
    held.settled = true;
    this.inFlight--;
    held.done(answer.status, answer.error, answer.bodyTooLarge);
  }
}
