import { drainBody } from "./drain-body.ts";
import { outcomeOfFailure, outcomeOfStatus, type Outcome } from "./outcome.ts";
import type { SendHost } from "./send-sink.ts";

/**
 * The plan's one GET of `url` through fetch (a URL the connection pool does not serve); the
 * outcome goes to the host's sink, every argument passed (see SendSink). The caller frees the
 * slot when the promise settles.
 */
export async function sendByFetch(host: SendHost, url: string, dueMs: number): Promise<void> {
  const { clock, fetch, sink, timeouts } = host;
  const startedMs = clock.mono();
  const timeout = timeouts.acquire(startedMs);
  sink.onSend(startedMs, dueMs, undefined);
  let outcome: Outcome;
  let endMs: number;
  let bodyTooLarge = false;
  try {
    const res = await fetch(url, host.tlsInit.tls === undefined ? timeout.init : { ...timeout.init, ...host.tlsInit });
    // Reading the body to its end frees the keep-alive socket and makes latency cover it;
    // chunk by chunk and discarded, so a huge or endless body costs no memory (see drain-body.ts).
    bodyTooLarge = (await drainBody(res, host.maxBodyBytes)).tooLarge;
    outcome = outcomeOfStatus(res.status);
  } catch (error) {
    outcome = outcomeOfFailure(timeout.signal);
    if (outcome !== "stopped") host.noteError(error);
  } finally {
    endMs = clock.mono();
    timeouts.release(timeout, endMs);
  }
  sink.onOutcome(outcome, endMs - startedMs, endMs - dueMs, bodyTooLarge, undefined);
}
