import { describe, expect, test } from "bun:test";
import { BUCKETS_S, TargetMetrics } from "../../../target/metrics.ts";

const LABELS = 'addr="/ping",method="GET",status="200"';

/** The 15 bucket lines of one series, from the cumulative counts per bound (last is +Inf). */
function bucketLines(labels: string, cumulative: number[]): string[] {
  return [...BUCKETS_S.map(String), "+Inf"].map((le, i) => `request_seconds_bucket{${labels},le="${le}"} ${cumulative[i]}`);
}

const COUNTER_LINES = (received: number, sent: number) => [
  "# HELP requests_received_total Requests whose handler started (metrics and reset endpoints excluded).",
  "# TYPE requests_received_total counter",
  `requests_received_total ${received}`,
  "# HELP responses_sent_total Responses produced (metrics and reset endpoints excluded).",
  "# TYPE responses_sent_total counter",
  `responses_sent_total ${sent}`,
];

const HISTOGRAM_HEADER = [
  "# HELP request_seconds Time from the start of the handler to the response being produced.",
  "# TYPE request_seconds histogram",
];

describe("TargetMetrics.toPrometheus", () => {
  test("renders only the headers and zero counters before any request", () => {
    expect(new TargetMetrics(0).toPrometheus()).toBe([...HISTOGRAM_HEADER, ...COUNTER_LINES(0, 0)].join("\n") + "\n");
  });

  test("renders cumulative buckets with inclusive bounds, +Inf overflow, sum in seconds and count", () => {
    const metrics = new TargetMetrics(0);
    for (const duration_ms of [0.5, 3, 2000, 20000]) {
      metrics.received("/ping");
      metrics.responded("/ping", "GET", 200, duration_ms);
    }
    expect(metrics.toPrometheus()).toBe(
      [
        ...HISTOGRAM_HEADER,
        ...bucketLines(LABELS, [1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4]),
        `request_seconds_sum{${LABELS}} 22.0035`,
        `request_seconds_count{${LABELS}} 4`,
        ...COUNTER_LINES(4, 4),
      ].join("\n") + "\n",
    );
  });

  test("sorts series by addr, method and status, one series per combination", () => {
    const metrics = new TargetMetrics(0);
    metrics.responded("unmatched", "POST", 404, 0.1);
    metrics.responded("/ping", "GET", 500, 1);
    metrics.responded("/ping", "GET", 200, 1);
    metrics.responded("/ping", "GET", 200, 1);
    const counts = metrics
      .toPrometheus()
      .split("\n")
      .filter((line) => line.startsWith("request_seconds_count"));
    expect(counts).toEqual([
      'request_seconds_count{addr="/ping",method="GET",status="200"} 2',
      'request_seconds_count{addr="/ping",method="GET",status="500"} 1',
      'request_seconds_count{addr="unmatched",method="POST",status="404"} 1',
    ]);
  });

  test("counts received and sent separately while a response is still pending", () => {
    const metrics = new TargetMetrics(0);
    metrics.received("/ping");
    metrics.received("/ping");
    metrics.responded("/ping", "GET", 200, 1);
    expect(metrics.toPrometheus()).toEndWith(COUNTER_LINES(2, 1).join("\n") + "\n");
  });
});

describe("TargetMetrics.toJson", () => {
  test("reports totals, in-flight, statuses, addresses, the ping entry and uptime in seconds", () => {
    const metrics = new TargetMetrics(1000);
    metrics.received("/ping");
    metrics.responded("/ping", "GET", 200, 1);
    metrics.received("/ping");
    metrics.responded("/ping", "GET", 500, 1);
    metrics.received("/ping");
    metrics.received("unmatched");
    metrics.responded("unmatched", "GET", 404, 1);
    expect(metrics.toJson(3500)).toEqual({
      requests_received: 4,
      responses_sent: 3,
      in_flight: 1,
      by_status: { "200": 1, "404": 1, "500": 1 },
      by_addr: { "/ping": { received: 3, responses: 2 }, unmatched: { received: 1, responses: 1 } },
      ping: { received: 3, responses: 2 },
      by_route: { "GET /ping": { responses: 2, by_status: { "200": 1, "500": 1 } }, "GET unmatched": { responses: 1, by_status: { "404": 1 } } },
      uptime_s: 2.5,
    });
  });

  test("counts responses per method and route, apart for the same route under two methods", () => {
    const metrics = new TargetMetrics(0);
    for (const [addr, method, status] of [["/items", "POST", 201], ["/items/:id", "GET", 200], ["/items/:id", "PUT", 200], ["/items/:id", "GET", 200], ["/status/:code", "GET", 503]] as const) {
      metrics.received(addr);
      metrics.responded(addr, method, status, 1);
    }
    expect(metrics.toJson(0).by_route).toEqual({
      "POST /items": { responses: 1, by_status: { "201": 1 } },
      "GET /items/:id": { responses: 2, by_status: { "200": 2 } },
      "PUT /items/:id": { responses: 1, by_status: { "200": 1 } },
      "GET /status/:code": { responses: 1, by_status: { "503": 1 } },
    });
    expect(metrics.toJson(0).by_addr).toEqual({ "/items": { received: 1, responses: 1 }, "/items/:id": { received: 3, responses: 3 }, "/status/:code": { received: 1, responses: 1 } });
  });

  test("reports a zero ping entry when /ping was never hit", () => {
    expect(new TargetMetrics(0).toJson(0).ping).toEqual({ received: 0, responses: 0 });
  });
});

describe("TargetMetrics.reset", () => {
  test("zeroes counters and drops series but keeps the start time", () => {
    const metrics = new TargetMetrics(0);
    metrics.received("/ping");
    metrics.responded("/ping", "GET", 200, 1);
    metrics.reset();
    expect(metrics.toJson(2000)).toEqual({
      requests_received: 0,
      responses_sent: 0,
      in_flight: 0,
      by_status: {},
      by_addr: {},
      ping: { received: 0, responses: 0 },
      by_route: {},
      uptime_s: 2,
    });
    expect(metrics.toPrometheus()).toBe([...HISTOGRAM_HEADER, ...COUNTER_LINES(0, 0)].join("\n") + "\n");
  });
});
