import type { Clock } from "../../../src/driver/clock.ts";
import type { FetchLike } from "../../../src/driver/send-loop.ts";

/**
 * A stand-in for the HTTP target behind an injected fetch: records when each request was
 * sent (fake time), answers at once with `status` (or holds answers until `release()`),
 * and fails a request when its signal aborts, as fetch does.
 */
export class FakeTarget {
  readonly sentAt: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  status = 200;
  /** When true, answers wait for `release()`. */
  hold = false;
  /** When true, every request fails as a refused connection would. */
  refuse = false;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly clock: Clock) {}

  readonly fetch: FetchLike = (_url, init) => {
    this.sentAt.push(this.clock.mono());
    if (this.refuse) return Promise.reject(new TypeError("Unable to connect. Is the computer able to access the url?"));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const answer = () => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        resolve(new Response("pong", { status: this.status }));
      };
      init.signal?.addEventListener("abort", () => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        reject(new DOMException("The operation was aborted.", "AbortError"));
      });
      if (this.hold) this.waiting.push(answer);
      else answer();
    });
  };

  /** Answers up to `n` held requests, oldest first. */
  release(n = Infinity): number {
    const batch = this.waiting.splice(0, n);
    for (const answer of batch) answer();
    return batch.length;
  }

  get held(): number {
    return this.waiting.length;
  }
}
