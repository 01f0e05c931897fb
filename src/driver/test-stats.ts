import type { Counts, MetricsReport, Window } from "../protocol/index.ts";
// counts.ts directly, not the protocol index: a send worker then loads no zod schema (~35 ms of CPU each).
import { addCounts, zeroCounts } from "../protocol/counts.ts";
import { LatencyRecorder, type LatencyWindow } from "../stats/latency-recorder.ts";
import { LATE_THRESHOLD_MS } from "./defaults.ts";
import { isResponse, type Outcome } from "./outcome.ts";
import { RequestStats, type RequestShare } from "./request-stats.ts";
import type { OutcomeDetail } from "./scenario/request-spec.ts";
import { isLate } from "./schedule.ts";
import type { SendSink } from "./send-loop.ts";

export interface TestStatsOptions {
  nodeId: string;
  /** This driver process's instance id; when set it is part of every report_id. */
  instanceId?: string;
  testId: string;
  /** Whether sends have due times (TSUNAMI): then due-time latency is kept too. */
  paced: boolean;
  /** Epoch ms of the first window's start. */
  startedAtMs: number;
  /** `clock.now() - clock.mono()`: turns monotonic send times into epoch ms. */
  epochOffsetMs: number;
  /** Keep every latency (for LOADTEST_LATENCY_DUMP); off, this costs one branch a response. */
  keepRaw?: boolean;
  lateThresholdMs?: number;
  /** The clock offset (orchestrator minus this driver, ms) the test started with: reports then carry sends on the orchestrator's timeline too. */
  clockOffsetMs?: number;
  /** Whether the start was corrected with that offset. */
  clockCorrected?: boolean;
  /** A scenario's request names in plan order (`plan.requests`): figures are then kept per name too. */
  requestNames?: readonly string[];
}

const MAX_ID_LENGTH = 128;

/**
 * One window of a worker thread's share of a test (`--workers`), as it crosses to the main
 * thread: that window's counts and latency windows, and the send times in epoch ms (each
 * thread has its own monotonic origin). `raw`: the latencies, on the last window, when kept.
 */
export interface ShareWindow {
  counts: Counts;
  latency: LatencyWindow;
  due?: LatencyWindow;
  firstSendAt?: number;
  lastSendAt?: number;
  raw?: number[];
  /** Per request of a scenario, in plan order. */
  byRequest?: RequestShare[];
}

/**
 * The report id, stable across redelivery: `${node_id}:${test_id}:${sequence}`, or
 * `${node_id}:${instance_id}:${test_id}:${sequence}` when the process has an instance id (two
 * processes with one node_id never share an id). Ids too long for the wire (over 128
 * characters) use a hash of node, instance and test instead.
 */
export function reportId(nodeId: string, testId: string, sequence: number, instanceId?: string): string {
  const prefix = instanceId === undefined ? `${nodeId}:${testId}` : `${nodeId}:${instanceId}:${testId}`;
  const id = `${prefix}:${sequence}`;
  if (id.length <= MAX_ID_LENGTH) return id;
  return `h${Bun.hash(prefix).toString(36)}:${sequence}`;
}

/**
 * One test's statistics on one driver: cumulative counts, counts of the current window, and
 * latency recorders (service time, and due-time latency for paced sends). `report()` closes
 * the window: window figures restart, totals keep accumulating.
 */
export class TestStats implements SendSink {
  readonly counts: Counts = zeroCounts();
  /** Every latency in order of completion, when `keepRaw`; null otherwise. */
  readonly raw: number[] | null;
  private window: Counts = zeroCounts();
  private windowStartMs: number;
  private sequence = 0;
  private readonly latency = new LatencyRecorder();
  private readonly dueLatency: LatencyRecorder | null;
  private firstSendMs = NaN;
  private lastSendMs = NaN;
  private readonly lateThresholdMs: number;
  /** Per-request figures of a scenario; null without one (then each send costs one branch more). */
  private readonly perRequest: RequestStats | null;

  constructor(private readonly options: TestStatsOptions) {
    this.windowStartMs = options.startedAtMs;
    this.dueLatency = options.paced ? new LatencyRecorder() : null;
    this.raw = options.keepRaw ? [] : null;
    this.lateThresholdMs = options.lateThresholdMs ?? LATE_THRESHOLD_MS;
    this.perRequest = options.requestNames !== undefined && options.requestNames.length > 0 ? new RequestStats(options.requestNames) : null;
  }

  onSend(startedMs: number, dueMs: number, request?: number): void {
    this.counts.sent++;
    this.window.sent++;
    if (this.firstSendMs !== this.firstSendMs) this.firstSendMs = startedMs;
    this.lastSendMs = startedMs;
    // NaN (unpaced) compares false, so it is never late.
    const late = isLate(startedMs, dueMs, this.lateThresholdMs);
    if (late) {
      this.counts.late++;
      this.window.late++;
    }
    if (request !== undefined) this.perRequest?.onSend(request, late);
  }

  onOutcome(outcome: Outcome, latencyMs: number, dueLatencyMs: number, bodyTooLarge?: boolean, detail?: OutcomeDetail): void {
    if (detail !== undefined) this.countDetail(outcome, latencyMs, bodyTooLarge, detail);
    if (outcome === "stopped") return this.countStopped();
    this.counts[outcome]++;
    this.window[outcome]++;
    if (bodyTooLarge) {
      // Optional on the wire: present from the first one on.
      this.counts.body_too_large = (this.counts.body_too_large ?? 0) + 1;
      this.window.body_too_large = (this.window.body_too_large ?? 0) + 1;
    }
    if (!isResponse(outcome)) return;
    this.counts.completed++;
    this.window.completed++;
    this.latency.record(latencyMs);
    if (this.dueLatency !== null) this.dueLatency.record(dueLatencyMs);
    if (this.raw !== null) this.raw.push(latencyMs);
  }

  /** Requests sent and not yet ended. */
  inFlight(): number {
    const c = this.counts;
    return c.sent - c.completed - c.timeout - c.connection_error - (c.stopped ?? 0);
  }

  /** A scenario send's detail: check failure and bytes in the whole test's counts, and the request's own figures. */
  private countDetail(outcome: Outcome, latencyMs: number, bodyTooLarge: boolean | undefined, detail: OutcomeDetail): void {
    const response = isResponse(outcome);
    this.perRequest?.onOutcome(outcome, response, latencyMs, bodyTooLarge, detail);
    addOptional(this.counts, this.window, "bytes_sent", detail.bytesSent);
    addOptional(this.counts, this.window, "bytes_received", detail.bytesReceived);
    if (response && detail.checkFailure !== undefined) addOptional(this.counts, this.window, "check_failed", 1);
  }

  /** A request aborted by a stop: counted `stopped` (the field appears only once one is), no latency. */
  private countStopped(): void {
    this.counts.stopped = (this.counts.stopped ?? 0) + 1;
    this.window.stopped = (this.window.stopped ?? 0) + 1;
  }

  /**
   * Closes the current window as a {@link ShareWindow} for the main thread (a worker's stats);
   * `last` hands over the raw latencies too, when kept.
   */
  closeShare(last: boolean): ShareWindow {
    const { epochOffsetMs } = this.options;
    const due = this.dueLatency?.closeWindow();
    const share: ShareWindow = {
      counts: this.window,
      latency: this.latency.closeWindow(),
      ...(due ? { due } : {}),
      ...(this.firstSendMs === this.firstSendMs ? { firstSendAt: this.firstSendMs + epochOffsetMs, lastSendAt: this.lastSendMs + epochOffsetMs } : {}),
      ...(last && this.raw !== null ? { raw: this.raw } : {}),
      ...(this.perRequest !== null ? { byRequest: this.perRequest.closeShare() } : {}),
    };
    this.window = zeroCounts();
    return share;
  }

  /**
   * Adds a worker's window into this (the main thread's) current window and totals: counts
   * summed, digests merged, exact min/max/sum carried, first and last send widened.
   */
  absorb(share: ShareWindow): void {
    addCounts(this.counts, share.counts);
    addCounts(this.window, share.counts);
    this.latency.absorb(share.latency);
    if (share.due !== undefined) this.dueLatency?.absorb(share.due);
    const { epochOffsetMs } = this.options;
    if (share.firstSendAt !== undefined && !(share.firstSendAt - epochOffsetMs >= this.firstSendMs)) this.firstSendMs = share.firstSendAt - epochOffsetMs;
    if (share.lastSendAt !== undefined && !(share.lastSendAt - epochOffsetMs <= this.lastSendMs)) this.lastSendMs = share.lastSendAt - epochOffsetMs;
    if (share.raw !== undefined && this.raw !== null) for (const latency of share.raw) this.raw.push(latency);
    if (share.byRequest !== undefined) this.perRequest?.absorb(share.byRequest);
  }

  /** The report's clock fields: the offset used and the sends on the orchestrator's timeline (when the offset is known). */
  private clockFields(epochOffsetMs: number): Partial<MetricsReport> {
    const { clockOffsetMs: offset, clockCorrected } = this.options;
    if (offset === undefined) return {};
    const sends =
      this.firstSendMs === this.firstSendMs
        ? { first_send_at_orchestrator: Math.round(this.firstSendMs + epochOffsetMs + offset), last_send_at_orchestrator: Math.round(this.lastSendMs + epochOffsetMs + offset) }
        : {};
    return { clock_offset_ms: Math.round(offset * 10) / 10, clock_corrected: clockCorrected ?? false, ...sends };
  }

  /** Closes the current window and builds the report for it; `final` adds the whole test's digests. */
  report(nowMs: number, final: boolean): MetricsReport {
    const { nodeId, testId, epochOffsetMs } = this.options;
    const closed = this.latency.closeWindow();
    const dueClosed = this.dueLatency?.closeWindow();
    const window: Window = {
      start_ms: this.windowStartMs,
      end_ms: nowMs,
      counts: this.window,
      latency_sum_ms: closed.exact.sum,
      ...(closed.exact.count > 0 ? { min_latency: closed.exact.min, max_latency: closed.exact.max } : {}),
      digest: closed.digest,
      ...(dueClosed ? { due_digest: dueClosed.digest } : {}),
    };
    const sequence = this.sequence++;
    const report: MetricsReport = {
      node_id: nodeId,
      test_id: testId,
      report_id: reportId(nodeId, testId, sequence, this.options.instanceId),
      metrics: this.latency.totalSummary(),
      sequence,
      final,
      timestamp: nowMs,
      counts: { ...this.counts },
      ...(this.dueLatency ? { due_metrics: this.dueLatency.totalSummary() } : {}),
      window,
      ...(final ? { total_digest: this.latency.totalDigest() } : {}),
      ...(final && this.dueLatency ? { total_due_digest: this.dueLatency.totalDigest() } : {}),
      ...(this.firstSendMs === this.firstSendMs
        ? { first_send_at: Math.round(this.firstSendMs + epochOffsetMs), last_send_at: Math.round(this.lastSendMs + epochOffsetMs) }
        : {}),
      ...this.clockFields(epochOffsetMs),
      ...(this.perRequest !== null ? { by_request: this.perRequest.report(this.windowStartMs, nowMs, final) } : {}),
    };
    this.window = zeroCounts();
    this.windowStartMs = nowMs;
    return report;
  }
}

/** Adds `n` to an optional count of the totals and the window (the field appears from the first one on). */
function addOptional(total: Counts, window: Counts, key: "check_failed" | "bytes_sent" | "bytes_received", n: number): void {
  total[key] = (total[key] ?? 0) + n;
  window[key] = (window[key] ?? 0) + n;
}
