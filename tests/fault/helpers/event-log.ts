/** Collects the orchestrator's fleet events (`GET /events`, server-sent events) in the background. */

export interface SseEvent {
  event: string;
  data: unknown;
  /** performance.now() when it arrived. */
  at: number;
}

export interface EventLog {
  events: SseEvent[];
  close(): void;
}

/** Opens `GET /events` and appends every event to `events` until `close()`. */
export async function openEventLog(orchestratorUrl: string): Promise<EventLog> {
  const controller = new AbortController();
  const response = await fetch(`${orchestratorUrl}/events`, { signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`GET /events: HTTP ${response.status}`);
  const events: SseEvent[] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: ?(.*)$/m.exec(block)?.[1];
          const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join("\n");
          if (name && data) events.push({ event: name, data: JSON.parse(data), at: performance.now() });
        }
      }
    } catch {
      // Aborted by close(), or the orchestrator went away.
    }
  })();
  return { events, close: () => controller.abort() };
}

/** The `node` events of a log as `[node_id, event]` pairs, in order. */
export function nodeEvents(log: EventLog, nodeId?: string): string[] {
  return log.events
    .filter((e) => e.event === "node")
    .map((e) => e.data as { event: string; node: { node_id: string } })
    .filter((d) => nodeId === undefined || d.node.node_id === nodeId)
    .map((d) => d.event);
}
