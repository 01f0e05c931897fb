/**
 * The send loop with a RequestSource (issue 11): send i is the test's send
 * `seqOffset + i × seqStride`, each spec goes to the pool of its origin (opened on first use,
 * closed at the end) or through fetch, checks are evaluated on the response, and the sink gets
 * the request index and the OutcomeDetail. A hand-written source alternates two local origins.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { systemClock } from "../../src/driver/clock.ts";
import { openHttp1Pool } from "../../src/driver/http1-pool.ts";
import type { OpenHttpPool } from "../../src/driver/http-pool.ts";
import type { Outcome } from "../../src/driver/outcome.ts";
import type { RunPlan } from "../../src/driver/run-plan.ts";
import type { CheckResponse } from "../../src/driver/scenario-hooks.ts";
import type { OutcomeDetail, PlannedRequest, RequestSource, SendSpec } from "../../src/driver/scenario/request-spec.ts";
import { SendLoop, type SendSink } from "../../src/driver/send-loop.ts";

/** A target that records each request's seq (from the query or the JSON body) and its client port. */
function target(status: (seq: number) => number) {
  const seqs: number[] = [];
  const ports = new Set<number>();
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req, srv) {
      ports.add(srv.requestIP(req)!.port);
      const query = new URL(req.url).searchParams.get("seq");
      const seq = query !== null ? Number(query) : (JSON.parse(await req.text()) as { seq: number }).seq;
      seqs.push(seq);
      return new Response(`${req.method} seq ${seq}`, { status: status(seq) });
    },
  });
  return { server, seqs, ports, origin: `http://127.0.0.1:${server.port}` };
}

const a = target(() => 200);
// Every third seq of B answers 500: its check (status 201) fails.
const b = target((seq) => (seq % 3 === 0 ? 500 : 201));
afterAll(() => {
  void a.server.stop(true);
  void b.server.stop(true);
});

const requests: PlannedRequest[] = [
  { name: "get-a", method: "GET", url: `${a.origin}/items?seq=\${seq}`, headers: [], body: null, weight: 1, checks: null },
  { name: "post-b", method: "POST", url: `${b.origin}/items`, headers: [["content-type", "application/json"]], body: '{"seq":${seq}}', weight: 1, checks: { status: [201], bodyIncludes: "POST" } },
];

/** Alternates the two requests by seq and records every seq it was asked for. */
class AlternatingSource implements RequestSource {
  readonly requests = requests;
  readonly asked: number[] = [];
  next(seq: number): SendSpec {
    this.asked.push(seq);
    const request = seq % 2;
    const r = requests[request]!;
    const body = r.body === null ? null : new TextEncoder().encode(r.body.replace("${seq}", String(seq)));
    return { request, method: r.method, url: r.url.replace("${seq}", String(seq)), headers: r.headers, body, captureBodyBytes: r.checks?.bodyIncludes ? 64 : 0 };
  }
}

/** A stand-in for scenario/checks.ts: status, then body_includes. */
const checkResponse: CheckResponse = (checks, status, _latencyMs, body) => {
  if (checks.status && !checks.status.includes(status)) return `status ${status} not in [${checks.status.join(",")}]`;
  if (checks.bodyIncludes !== undefined && !new TextDecoder().decode(body).includes(checks.bodyIncludes)) return `body does not include "${checks.bodyIncludes}"`;
  return null;
};

class RecordingSink implements SendSink {
  readonly sent: (number | undefined)[] = [];
  readonly outcomes: { outcome: Outcome; detail: OutcomeDetail | undefined }[] = [];
  onSend(_startedMs: number, _dueMs: number, request?: number): void {
    this.sent.push(request);
  }
  onOutcome(outcome: Outcome, _latencyMs: number, _dueLatencyMs: number, _bodyTooLarge?: boolean, detail?: OutcomeDetail): void {
    this.outcomes.push({ outcome, detail });
  }
}

const COUNT = 60;
const plan: RunPlan = { testId: "s", mode: "AVALANCHE", url: `${a.origin}/`, count: COUNT, delayMs: 0, concurrency: 4, timeoutMs: 10_000, requests, seqOffset: 5, seqStride: 3 };
const expectedSeqs = Array.from({ length: COUNT }, (_, i) => 5 + i * 3);

async function runScenario(openHttp: OpenHttpPool | undefined) {
  a.seqs.length = 0;
  b.seqs.length = 0;
  a.ports.clear();
  b.ports.clear();
  const source = new AlternatingSource();
  const sink = new RecordingSink();
  const loop = new SendLoop(plan, { fetch, clock: systemClock, sink, requestSource: source, checkResponse, ...(openHttp ? { openHttp } : {}) }, systemClock.mono());
  const result = await loop.start();
  const details = sink.outcomes.map((o) => o.detail!);
  const failures = details.filter((d) => d.checkFailure !== undefined);
  return {
    result,
    asked: source.asked.toSorted((x, y) => x - y),
    onSendRequests: { 0: sink.sent.filter((r) => r === 0).length, 1: sink.sent.filter((r) => r === 1).length },
    aSeqs: a.seqs.toSorted((x, y) => x - y),
    bSeqs: b.seqs.toSorted((x, y) => x - y),
    failures: failures.map((f) => `${f.request}: ${f.checkFailure}`).toSorted(),
    allBytesCounted: details.every((d) => d.bytesSent > 0 && d.bytesReceived > 0),
    outcomes: sink.outcomes.map((o) => o.outcome).filter((o) => o !== "status_2xx").length,
  };
}

const bFails = expectedSeqs.filter((s) => s % 2 === 1 && s % 3 === 0);
const expected = {
  result: { sent: COUNT, stopped: false },
  asked: expectedSeqs,
  onSendRequests: { 0: COUNT / 2, 1: COUNT / 2 },
  aSeqs: expectedSeqs.filter((s) => s % 2 === 0),
  bSeqs: expectedSeqs.filter((s) => s % 2 === 1),
  failures: bFails.map(() => "1: status 500 not in [201]"),
  allBytesCounted: true,
  outcomes: bFails.length,
};

describe("SendLoop with a RequestSource", () => {
  test("sends the test's seqs offset+i*stride, alternating two origins over a pool each, with checks and bytes per send", async () => {
    const opened: string[] = [];
    let closed = 0;
    const openHttp: OpenHttpPool = (url, max, options) => {
      opened.push(`${new URL(url).origin} max ${max}`);
      const pool = openHttp1Pool(url, max, options)!;
      const close = pool.close.bind(pool);
      pool.close = () => {
        closed++;
        close();
      };
      return pool;
    };
    const run = await runScenario(openHttp);
    expect({ ...run, opened: opened.toSorted(), closed, connections: { a: a.ports.size <= 4, b: b.ports.size <= 4 } }).toEqual({
      ...expected,
      opened: [`${a.origin} max 4`, `${b.origin} max 4`].toSorted(),
      closed: 2,
      connections: { a: true, b: true },
    });
  });

  test("without a pool every spec goes through fetch: the same sends, checks on the captured body, bytes estimated", async () => {
    expect(await runScenario(undefined)).toEqual(expected);
  });
});
