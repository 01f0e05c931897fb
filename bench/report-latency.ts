/**
 * Report → SSE latency over Kafka: how long after a driver closed a report window an SSE client
 * of `GET /tests/:id/events` sees a snapshot that includes it. A tap consumer (a group of its
 * own on the metrics topic) learns each report's `window.end_ms` (the driver's wall clock, the
 * same machine's as ours); the SSE reader notes when each driver's `last_sequence` first covers
 * it. Used by the 64-driver e2e test and the bench's fleet section.
 */
import { KafkaBus } from "../src/bus/index.ts";

/** Latencies of one test, in ms, with how many reports were tapped and matched. */
export interface ReportLatency {
  /** Window closed → SSE client saw it, sorted. */
  samples: number[];
  /**
   * Window closed → the orchestrator received it (its `last_report_at`): the driver's publish,
   * the broker and the orchestrator's consumer; the rest of `samples` is the snapshot tick and SSE. Sorted.
   */
  toOrchestrator: number[];
  tapped: number;
  matched: number;
}

/** A running measurement: start it before the test, `finish()` after it ended. */
export interface ReportLatencyProbe {
  /** Starts reading the test's event stream (call once the test id is known). */
  follow(orchestratorUrl: string, testId: string): Promise<void>;
  finish(): Promise<ReportLatency>;
}

/** Subscribes a tap to `<prefix>metrics` on `brokers`; resolves once it is live. */
export async function startReportLatencyProbe(brokers: string[], topicPrefix: string): Promise<ReportLatencyProbe> {
  const closedAt = new Map<string, number>();
  const receivedAt = new Map<string, number>();
  const seenAt = new Map<string, number>();
  const bus = new KafkaBus({ connection: { brokers, clientId: "latency-tap", topicPrefix } });
  await bus.subscribe("metrics", { mode: { kind: "collect", group: `latency-tap-${crypto.randomUUID().slice(0, 8)}` } }, (report) => {
    // Keyed by test too: every test's sequences start at 0, so a later test must not overwrite
    // the followed test's window ends (that gave negative latencies with 2+ tests per fleet).
    if (report.window && report.sequence !== undefined) closedAt.set(`${report.test_id}/${report.node_id}#${report.sequence}`, report.window.end_ms);
  });
  const abort = new AbortController();
  let reader: Promise<void> = Promise.resolve();
  return {
    async follow(orchestratorUrl, testId) {
      const response = await fetch(`${orchestratorUrl}/tests/${testId}/events`, { signal: abort.signal });
      if (!response.ok || !response.body) throw new Error(`GET /tests/${testId}/events: HTTP ${response.status}`);
      const body = response.body;
      reader = (async () => {
        const last = new Map<string, number>();
        const decoder = new TextDecoder();
        let text = "";
        try {
          for await (const chunk of body) {
            text += decoder.decode(chunk, { stream: true });
            let end: number;
            while ((end = text.indexOf("\n\n")) !== -1) {
              const block = text.slice(0, end);
              text = text.slice(end + 2);
              const name = /^event: ?(.*)$/m.exec(block)?.[1];
              if (name !== "snapshot" && name !== "final") continue;
              const at = Date.now();
              const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join("\n");
              type Driver = { node_id: string; last_sequence: number | null; last_report_at: number | null };
              const parsed = JSON.parse(data) as { test?: { per_driver: Driver[] } };
              for (const d of parsed.test?.per_driver ?? []) {
                if (d.last_sequence === null) continue;
                if (d.last_report_at !== null) receivedAt.set(`${testId}/${d.node_id}#${d.last_sequence}`, d.last_report_at);
                for (let s = (last.get(d.node_id) ?? -1) + 1; s <= d.last_sequence; s++) {
                  const key = `${testId}/${d.node_id}#${s}`;
                  if (!seenAt.has(key)) seenAt.set(key, at);
                }
                last.set(d.node_id, Math.max(last.get(d.node_id) ?? -1, d.last_sequence));
              }
            }
          }
        } catch {
          // Aborted by finish(), or the orchestrator went away.
        }
      })();
    },
    async finish() {
      abort.abort();
      await reader;
      // The tap may trail the orchestrator on a busy machine: give it up to 30 s to catch up.
      const deadline = performance.now() + 30_000;
      while ([...seenAt.keys()].some((key) => !closedAt.has(key)) && performance.now() < deadline) await Bun.sleep(100);
      await bus.close();
      const samples: number[] = [];
      const toOrchestrator: number[] = [];
      for (const [key, at] of seenAt) {
        const closed = closedAt.get(key);
        if (closed === undefined) continue;
        samples.push(at - closed);
        const received = receivedAt.get(key);
        if (received !== undefined) toOrchestrator.push(received - closed);
      }
      const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
      return { samples: sorted(samples), toOrchestrator: sorted(toOrchestrator), tapped: closedAt.size, matched: samples.length };
    },
  };
}
