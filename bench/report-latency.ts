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
  /** Window closed → the tap consumer received it from Kafka (the driver's publish and the broker), sorted. */
  viaKafka: number[];
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
  const viaKafka: number[] = [];
  const seenAt = new Map<string, number>();
  const bus = new KafkaBus({ connection: { brokers, clientId: "latency-tap", topicPrefix } });
  await bus.subscribe("metrics", { mode: { kind: "collect", group: `latency-tap-${crypto.randomUUID().slice(0, 8)}` } }, (report) => {
    if (report.window && report.sequence !== undefined) {
      closedAt.set(`${report.node_id}#${report.sequence}`, report.window.end_ms);
      viaKafka.push(Date.now() - report.window.end_ms);
    }
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
              const parsed = JSON.parse(data) as { test?: { per_driver: { node_id: string; last_sequence: number | null }[] }; per_driver?: { node_id: string; last_sequence: number | null }[] };
              for (const d of parsed.test?.per_driver ?? parsed.per_driver ?? []) {
                if (d.last_sequence === null) continue;
                for (let s = (last.get(d.node_id) ?? -1) + 1; s <= d.last_sequence; s++) {
                  const key = `${d.node_id}#${s}`;
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
      await bus.close();
      const samples: number[] = [];
      for (const [key, at] of seenAt) {
        const closed = closedAt.get(key);
        if (closed !== undefined) samples.push(at - closed);
      }
      return { samples: samples.sort((a, b) => a - b), viaKafka: viaKafka.sort((a, b) => a - b), tapped: closedAt.size, matched: samples.length };
    },
  };
}
