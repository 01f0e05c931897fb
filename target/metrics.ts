/** Upper bounds (seconds) of the `request_seconds` histogram buckets; `+Inf` is implied. */
export const BUCKETS_S: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Address label for every path that matched no route (one label, so scanners cannot grow the series set). */
export const UNMATCHED_ADDR = "unmatched";

/** Address label of the ping route, reported separately in the JSON view. */
export const PING_ADDR = "/ping";

/**
 * JSON view of the counters (`GET /metrics?format=json`):
 * - `requests_received` / `responses_sent`: requests whose handler started / whose response was produced,
 *   over every counted address (the metrics and reset endpoints are never counted);
 * - `in_flight`: received minus sent (requests waiting out a delay);
 * - `by_status`: responses sent by HTTP status code, as a string key;
 * - `by_addr`: received and sent per address label (`/ping`, `unmatched`);
 * - `ping`: the `/ping` entry of `by_addr`, zeros if none yet;
 * - `by_route`: responses per `"METHOD addr"` (e.g. `"POST /items"`), in all and by status;
 * - `uptime_s`: seconds since the target started (not reset by `POST /reset`).
 */
export type TargetMetricsJson = {
  requests_received: number;
  responses_sent: number;
  in_flight: number;
  by_status: Record<string, number>;
  by_addr: Record<string, AddrCounts>;
  ping: AddrCounts;
  by_route: Record<string, RouteCounts>;
  uptime_s: number;
};

/** Responses of one method on one address: in all and by HTTP status. */
export type RouteCounts = { responses: number; by_status: Record<string, number> };

/** Requests received and responses sent for one address. */
export type AddrCounts = { received: number; responses: number };

/** One histogram series: non-cumulative bucket counts (last slot is the +Inf overflow), sum and count. */
class Series {
  readonly counts = new Float64Array(BUCKETS_S.length + 1);
  sum_s = 0;
  count = 0;
}

/** Request counters and the latency histogram of the target; pure, the caller supplies durations and clocks. */
export class TargetMetrics {
  #received = 0;
  #responded = 0;
  #addrs = new Map<string, AddrCounts>();
  // Indexed by status code: HTTP statuses are integers below 600, so no map is needed.
  #byStatus = new Float64Array(600);
  // addr -> method -> status -> series: nested lookups so the hot path builds no key strings.
  #series = new Map<string, Map<string, Map<number, Series>>>();
  // The last series used: under load nearly every request hits the same one (GET /ping 200).
  #last: { addr: string; method: string; status: number; series: Series } | undefined;

  constructor(private readonly started_ms: number) {}

  /** Counts a request whose handler just started. */
  received(addr: string): void {
    this.#received++;
    this.#addr(addr).received++;
  }

  /** Counts a produced response and observes its duration in the histogram. */
  responded(addr: string, method: string, status: number, duration_ms: number): void {
    this.#responded++;
    this.#addr(addr).responses++;
    this.#byStatus[status]!++;
    const last = this.#last;
    const series =
      last !== undefined && last.status === status && last.addr === addr && last.method === method
        ? last.series
        : this.#seriesFor(addr, method, status);
    const seconds = duration_ms / 1000;
    let bucket = 0;
    while (bucket < BUCKETS_S.length && seconds > BUCKETS_S[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum_s += seconds;
    series.count++;
  }

  /** Zeroes every counter and drops every series; uptime keeps counting. */
  reset(): void {
    this.#received = 0;
    this.#responded = 0;
    this.#addrs.clear();
    this.#byStatus.fill(0);
    this.#series.clear();
    this.#last = undefined;
  }

  /** Renders the Prometheus text exposition format (version 0.0.4), series sorted by addr, method, status. */
  toPrometheus(): string {
    const lines = [
      "# HELP request_seconds Time from the start of the handler to the response being produced.",
      "# TYPE request_seconds histogram",
    ];
    for (const [addr, byMethod] of sortedEntries(this.#series)) {
      for (const [method, byStatus] of sortedEntries(byMethod)) {
        for (const [status, series] of sortedEntries(byStatus)) {
          const labels = `addr="${escapeLabel(addr)}",method="${escapeLabel(method)}",status="${status}"`;
          let cumulative = 0;
          BUCKETS_S.forEach((bound, i) => {
            cumulative += series.counts[i]!;
            lines.push(`request_seconds_bucket{${labels},le="${bound}"} ${cumulative}`);
          });
          lines.push(`request_seconds_bucket{${labels},le="+Inf"} ${series.count}`);
          lines.push(`request_seconds_sum{${labels}} ${series.sum_s}`);
          lines.push(`request_seconds_count{${labels}} ${series.count}`);
        }
      }
    }
    lines.push(
      "# HELP requests_received_total Requests whose handler started (metrics and reset endpoints excluded).",
      "# TYPE requests_received_total counter",
      `requests_received_total ${this.#received}`,
      "# HELP responses_sent_total Responses produced (metrics and reset endpoints excluded).",
      "# TYPE responses_sent_total counter",
      `responses_sent_total ${this.#responded}`,
    );
    return lines.join("\n") + "\n";
  }

  /** Renders the JSON view documented on `TargetMetricsJson`. */
  toJson(now_ms: number): TargetMetricsJson {
    const by_status: Record<string, number> = {};
    this.#byStatus.forEach((count, status) => {
      if (count > 0) by_status[String(status)] = count;
    });
    const by_addr: Record<string, AddrCounts> = {};
    for (const [addr, counts] of sortedEntries(this.#addrs)) by_addr[addr] = { ...counts };
    return {
      requests_received: this.#received,
      responses_sent: this.#responded,
      in_flight: this.#received - this.#responded,
      by_status,
      by_addr,
      ping: { ...(this.#addrs.get(PING_ADDR) ?? { received: 0, responses: 0 }) },
      by_route: this.#byRoute(),
      uptime_s: (now_ms - this.started_ms) / 1000,
    };
  }

  // Read off the histogram series (addr -> method -> status), so the hot path counts nothing more.
  #byRoute(): Record<string, RouteCounts> {
    const routes: Record<string, RouteCounts> = {};
    for (const [addr, byMethod] of sortedEntries(this.#series)) {
      for (const [method, byStatus] of sortedEntries(byMethod)) {
        const route: RouteCounts = { responses: 0, by_status: {} };
        for (const [status, series] of sortedEntries(byStatus)) {
          route.responses += series.count;
          route.by_status[String(status)] = series.count;
        }
        routes[`${method} ${addr}`] = route;
      }
    }
    return routes;
  }

  #addr(addr: string): AddrCounts {
    let counts = this.#addrs.get(addr);
    if (counts === undefined) this.#addrs.set(addr, (counts = { received: 0, responses: 0 }));
    return counts;
  }

  #seriesFor(addr: string, method: string, status: number): Series {
    let byMethod = this.#series.get(addr);
    if (byMethod === undefined) this.#series.set(addr, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (series === undefined) byStatus.set(status, (series = new Series()));
    this.#last = { addr, method, status, series };
    return series;
  }
}

function sortedEntries<K extends string | number, V>(map: Map<K, V>): [K, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
