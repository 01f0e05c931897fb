import { describe, expect, test } from "bun:test";
import { csvField, reportCsv } from "../../../../src/orchestrator/http/report-csv.ts";
import type { TestSeries } from "../../../../src/orchestrator/series.ts";
import { testView } from "../../cli/fixtures.ts";

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
      "test_id,second,scope,requests_per_s,sent,completed,errors,status_4xx,status_5xx,timeout,connection_error,late,mean_ms,min_ms,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,stopped,stop_reason",
      `${id},0,total,200,200,200,1,0,1,0,0,0,,,2,2,2,2,2,,`,
      `${id},0,d1,100,100,100,1,0,1,0,0,0,,,2,2,2,2,2,,`,
      `${id},0,d2,100,100,100,1,0,1,0,0,0,,,,,,,,,`,
      `${id},all,total,197,1000,1000,0,0,0,0,0,0,2.4,0.5,2,5.5,7.25,9,18,0,`,
      `${id},all,d1,98.5,500,500,0,0,0,0,0,0,2.4,0.5,2,5.5,7.25,9,18,0,`,
      `${id},all,d2,98.5,500,500,0,0,0,0,0,0,2.4,0.5,2,5.5,7.25,9,18,0,`,
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
    expect(lines.slice(1, 4).map((l) => l.slice(l.indexOf(",18,") + 1))).toEqual(['18,7,"target on fire, stop"', "18,7,", "18,0,"]);
  });
});
