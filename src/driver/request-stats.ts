// Per-request statistics of a scenario (issue 11): one set of counts and one latency recorder
// per request name, beside the whole test's in TestStats, reported as the report's `by_request`.
import type { Counts, RequestReport } from "../protocol/index.ts";
// counts.ts directly, not the protocol index: a send worker then loads no zod schema.
import { addCounts, zeroCounts } from "../protocol/counts.ts";
import { capDigest } from "../stats/digest-cap.ts";
import { LatencyRecorder, type LatencyWindow } from "../stats/latency-recorder.ts";
import type { Outcome } from "./outcome.ts";
import type { OutcomeDetail } from "./scenario/request-spec.ts";

/** Most request names kept (the wire's MAX_REQUEST_NAMES; the planner allows no more). */
const MAX_NAMES = 64;
/** Longest check failure reason kept. */
const MAX_REASON_LENGTH = 1024;
/**
 * Centroids of every per-request digest of one report together (a window's and, on the final
 * report, a total per name): at ~14 bytes a centroid, under half of the bus's 1 MB message.
 */
export const BY_REQUEST_CENTROIDS = 32_768;

/** One request name's window as it crosses from a send worker to the main thread. */
export interface RequestShare {
  counts: Counts;
  latency: LatencyWindow;
  firstCheckFailure?: string;
}

/** One request name's figures. */
class RequestTally {
  readonly counts: Counts = zeroCounts();
  window: Counts = zeroCounts();
  readonly latency = new LatencyRecorder();
  firstCheckFailure: string | undefined;

  /** Adds `n` to an optional count (present from the first one on), in the totals and the window. */
  add(key: "check_failed" | "bytes_sent" | "bytes_received" | "body_too_large" | "stopped", n: number): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
    this.window[key] = (this.window[key] ?? 0) + n;
  }
}

/**
 * The per-request half of a test's statistics: counts (check_failed beside the status class,
 * bytes), latencies, and each name's first check failure. Requests are known by their index in
 * the plan (`SendSpec.request`), labelled by name in the report.
 */
export class RequestStats {
  private readonly tallies: RequestTally[];

  constructor(private readonly names: readonly string[]) {
    this.tallies = names.slice(0, MAX_NAMES).map(() => new RequestTally());
  }

  /** Send of request `request` started; `late` as judged for the whole test. */
  onSend(request: number, late: boolean): void {
    const t = this.tallies[request];
    if (t === undefined) return;
    t.counts.sent++;
    t.window.sent++;
    if (late) {
      t.counts.late++;
      t.window.late++;
    }
  }

  /** A send of `detail.request` ended (`response`: it carries a status and a latency). */
  onOutcome(outcome: Outcome, response: boolean, latencyMs: number, bodyTooLarge: boolean | undefined, detail: OutcomeDetail): void {
    const t = this.tallies[detail.request];
    if (t === undefined) return;
    if (outcome === "stopped") t.add("stopped", 1);
    else {
      t.counts[outcome]++;
      t.window[outcome]++;
    }
    t.add("bytes_sent", detail.bytesSent);
    t.add("bytes_received", detail.bytesReceived);
    if (bodyTooLarge) t.add("body_too_large", 1);
    if (!response) return;
    t.counts.completed++;
    t.window.completed++;
    t.latency.record(latencyMs);
    if (detail.checkFailure !== undefined) {
      t.add("check_failed", 1);
      t.firstCheckFailure ??= detail.checkFailure.slice(0, MAX_REASON_LENGTH);
    }
  }

  /** Closes every name's window for the main thread (a worker's stats). */
  closeShare(): RequestShare[] {
    return this.tallies.map((t) => {
      const share: RequestShare = { counts: t.window, latency: t.latency.closeWindow(), ...(t.firstCheckFailure !== undefined ? { firstCheckFailure: t.firstCheckFailure } : {}) };
      t.window = zeroCounts();
      return share;
    });
  }

  /** Adds a worker's windows into the current windows and totals (digests merged, counts summed). */
  absorb(shares: readonly RequestShare[]): void {
    shares.forEach((share, i) => {
      const t = this.tallies[i];
      if (t === undefined) return;
      addCounts(t.counts, share.counts);
      addCounts(t.window, share.counts);
      t.latency.absorb(share.latency);
      t.firstCheckFailure ??= share.firstCheckFailure;
    });
  }

  /**
   * Closes every name's window and builds the report's `by_request`: window from `startMs` to
   * `nowMs`, and on the final report each name's whole-test digest. Digests are capped so the
   * report fits the bus whatever the number of names ({@link BY_REQUEST_CENTROIDS}).
   */
  report(startMs: number, nowMs: number, final: boolean): Record<string, RequestReport> {
    const cap = Math.floor(BY_REQUEST_CENTROIDS / (2 * Math.max(1, this.tallies.length)));
    const byRequest: Record<string, RequestReport> = {};
    this.tallies.forEach((t, i) => {
      const closed = t.latency.closeWindow();
      byRequest[this.names[i]!] = {
        counts: { ...t.counts },
        metrics: t.latency.totalSummary(),
        window: {
          start_ms: startMs,
          end_ms: nowMs,
          counts: t.window,
          latency_sum_ms: closed.exact.sum,
          ...(closed.exact.count > 0 ? { min_latency: closed.exact.min, max_latency: closed.exact.max } : {}),
          digest: capDigest(closed.digest, cap),
        },
        ...(final ? { total_digest: capDigest(t.latency.totalDigest(), cap) } : {}),
        ...(t.firstCheckFailure !== undefined ? { first_check_failure: t.firstCheckFailure } : {}),
      };
      t.window = zeroCounts();
    });
    return byRequest;
  }
}
