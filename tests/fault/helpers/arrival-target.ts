/**
 * An in-test HTTP target that records when each request arrived (epoch ms, the clock the
 * orchestrator's `start_at` is on), answering with a fixed status after a fixed delay. A
 * request the client abandons before the answer is still recorded: arrival is what counts.
 */
import type { Server } from "bun";

/** How the target answers. */
export interface ArrivalTargetOptions {
  status?: number;
  /** Ms before the answer (the request is held meanwhile). */
  delayMs?: number;
}

/** A started arrival-recording target; `stop()` closes it. */
export interface ArrivalTarget {
  url: string;
  /** Epoch ms of each request's arrival, in arrival order. */
  readonly arrivals: number[];
  stop(): Promise<void>;
}

/** Starts the target on a free loopback port. */
export function startArrivalTarget({ status = 200, delayMs = 0 }: ArrivalTargetOptions = {}): ArrivalTarget {
  const arrivals: number[] = [];
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch() {
      arrivals.push(Date.now());
      if (delayMs > 0) await Bun.sleep(delayMs);
      return new Response("pong", { status });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, arrivals, stop: () => server.stop(true) };
}

/**
 * How late each arrival was against the TSUNAMI due times `startAt + i × delayMs` (both sorted,
 * so request i is matched with due time i): negative means early.
 */
export function latenessMs(arrivals: readonly number[], startAt: number, delayMs: number): number[] {
  return [...arrivals].sort((a, b) => a - b).map((at, i) => at - (startAt + i * delayMs));
}
