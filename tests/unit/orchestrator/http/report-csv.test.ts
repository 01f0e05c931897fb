import { describe, expect, test } from "bun:test";
import { csvField, reportCsv } from "../../../../src/orchestrator/http/report-csv.ts";
import type { TestSeries } from "../../../../src/orchestrator/series.ts";
import { counts, testView } from "../../cli/fixtures.ts";

const sample = (sent: number, p50: number | null) => ({
  requests_per_s: sent,
  sent,
  completed: sent,
  errors: { status_4xx: 0, status_5xx: 1, timeout: 0, connection_error: 0, total: 1 },
  late: 0,
  p50,
  p90: p50,
  p95: p50,
  p99: p50,
  max: p50,
});

describe("CSV report", () => {
  test("quotes only fields that need it", () => {
    expect([csvField("plain"), csvField('say "hi"'), csvField("a,b"), csvField("x\ny"), csvField(null), csvField(1.5)]).toEqual([
      "plain",
      '"say ""hi"""',
      '"a,b"',
      '"x\ny"',
      "",
      "1.5",
    ]);
  });

  test("has a row per second and scope, then the whole-test rows", () => {
    const view = testView();
    const series: TestSeries = { test_id: view.test_id, origin_ms: 1000, bucket_ms: 1000, points: [{ t_s: 0, total: sample(200, 2), drivers: { d1: sample(100, 2), d2: sample(100, null) } }] };
    const lines = reportCsv(view, series).split("\r\n");
    const id = view.test_id;
    expect(lines).toEqual([
      "test_id,second,scope,requests_per_s,sent,completed,errors,status_4xx,status_5xx,timeout,connection_error,late,mean_ms,min_ms,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,stopped,stop_reason,check_failed,bytes_sent,bytes_received",
      `${id},0,total,200,200,200,1,0,1,0,0,0,,,2,2,2,2,2,,,,,`,
      `${id},0,d1,100,100,100,1,0,1,0,0,0,,,2,2,2,2,2,,,,,`,
      `${id},0,d2,100,100,100,1,0,1,0,0,0,,,,,,,,,,,,`,
      `${id},all,total,197,1000,1000,0,0,0,0,0,0,2.4,0.5,2,5.5,7.25,9,18,0,,,,`,
      `${id},all,d1,98.5,500,500,0,0,0,0,0,0,2.4,0.5,2,5.5,7.25,9,18,0,,,,`,
      `${id},all,d2,98.5,500,500,0,0,0,0,0,0,2.4,0.5,2,5.5,7.25,9,18,0,,,,`,
      "",
    ]);
  });

  test("a stopped test's whole-test rows carry the aborted count and, on the total, the stop's reason", () => {
    const view = testView();
    view.state = "stopped";
    view.stop = { requested_at: 1, reason: "target on fire, stop", grace_ms: 2000, by: "user", unconfirmed: [] };
    view.metrics.counts.stopped = 7;
    view.per_driver[0]!.counts.stopped = 7;
    const lines = reportCsv(view, null).split("\r\n");
    expect(lines.slice(1, 4).map((l) => l.slice(l.indexOf(",18,") + 1))).toEqual(['18,7,"target on fire, stop",,,', "18,7,,,,", "18,0,,,,"]);
  });

  test("a scenario adds a whole-test row per request name with its checks and bytes", () => {
    const view = testView({ total: counts(1000, { check_failed: 3, bytes_sent: 9000, bytes_received: 12000 }) });
    view.by_request = {
      "GET /a,b": { counts: counts(600, { bytes_sent: 5000, bytes_received: 7000 }), metrics: { mean: 2, median: 1, min: 0.5, max: 9, p90: 3, p95: 4, p99: 5 }, check_failed: 0, first_check_failure: null },
      create: { counts: counts(400, { check_failed: 3, bytes_sent: 4000, bytes_received: 5000 }), metrics: null, check_failed: 3, first_check_failure: "status 500 not in [201]" },
    };
    const lines = reportCsv(view, null).split("\r\n");
    const id = view.test_id;
    expect([lines[1], ...lines.slice(4, 6)]).toEqual([
      `${id},all,total,197,1000,1000,0,0,0,0,0,0,2.4,0.5,2,5.5,7.25,9,18,0,,3,9000,12000`,
      `${id},all,"request:GET /a,b",118.2,600,600,0,0,0,0,0,0,2,0.5,1,3,4,5,9,0,,0,5000,7000`,
      `${id},all,request:create,78.8,400,400,0,0,0,0,0,0,,,,,,,,0,,3,4000,5000`,
    ]);
  });
});
