/** One closed-loop throughput measurement of one tool, in common units. */
export interface LoadResult {
  tool: string;
  /** Responses completed within the measurement. */
  requests: number;
  duration_s: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses outside 2xx. */
  non_2xx: number;
  /** CPU (user + system, all threads) the tool's process used per response, µs: less noisy than req/s on a shared machine. */
  cpu_us_per_req: number;
}

/** The load every throughput tool is given. */
export interface LoadSpec {
  url: string;
  connections: number;
  duration_s: number;
  /** Pinned bench: run the tool on these cores only (`taskset`); absent, anywhere. */
  cores?: readonly number[];
  /** Called with the tool's pid once it runs (the pinned bench reads its CPU from /proc). */
  onSpawn?: (pid: number) => void;
}

/** A throughput tool the bench can run: `available` is null when it can run, else why not. */
export interface Peer {
  name: string;
  /** Version text for RESULTS.md. */
  version(): Promise<string>;
  available(): Promise<string | null>;
  run(spec: LoadSpec): Promise<LoadResult>;
}
