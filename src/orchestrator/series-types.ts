// The shapes of a test's per-second series (series.ts builds them): a second's point, per driver and in total.
import type { SerializedDigest } from "../protocol/index.ts";
import type { ErrorsView } from "./snapshot.ts";
import type { WindowCell } from "./window-cell.ts";

/** One second of one driver, or of every driver together. */
export interface SeriesSample {
  /** Sends per second during the second (sends over the reported window time). */
  requests_per_s: number;
  sent: number;
  completed: number;
  errors: ErrorsView;
  late: number;
  /** Latency quantiles of the requests completed in this second (ms); null when none completed. */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Issue 11, when the reports carry them (scenarios): bytes sent and received, and responses failing checks, in the second. */
  bytes_sent?: number;
  bytes_received?: number;
  check_failed?: number;
}

/** Second `t_s` of a test (0 is the second that starts at the test's start time). */
export interface SeriesPoint {
  t_s: number;
  total: SeriesSample;
  drivers: Record<string, SeriesSample>;
}

/** A test's per-second series, oldest first. */
export interface TestSeries {
  test_id: string;
  origin_ms: number | null;
  bucket_ms: number;
  points: SeriesPoint[];
}

/** A series' clock and its not-yet-closed seconds' cells, as a snapshot keeps them (series-state.ts). */
export interface SeriesOpenState {
  origin_ms: number | null;
  last_bucket: number;
  closed_through: number;
  cells: { t_s: number; node_id: string; counts: WindowCell["counts"]; exact: WindowCell["exact"]; duration_ms: number; windows: SerializedDigest[] }[];
}

