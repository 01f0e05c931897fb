import { describe, expect, test } from "bun:test";
import { SseBuffer } from "../../../../src/orchestrator/http/sse-buffer.ts";

const event = (n: number, size = 100) => `data: ${String(n).padEnd(size - 7, ".")}\n`;

describe("SSE buffer policy", () => {
  test("passes events in order while the client keeps up", () => {
    const buffer = new SseBuffer({ maxBytes: 1000 });
    for (let i = 0; i < 5; i++) expect(buffer.offer(event(i), 0)).toBe("queued");
    const out: string[] = [];
    for (let chunk = buffer.take(); chunk; chunk = buffer.take()) out.push(chunk.kind === "text" ? chunk.text : "resync");
    expect(out).toEqual([0, 1, 2, 3, 4].map((i) => event(i)));
    expect(buffer.size).toBe(0);
  });

  test("a client that falls behind loses its queue for one resync, later events are skipped until it is taken, then it is caught up", () => {
    const buffer = new SseBuffer({ maxBytes: 1000, stallDisconnectMs: 30_000 });
    for (let i = 0; i < 10; i++) expect(buffer.offer(event(i), 0)).toBe("queued");
    expect(buffer.offer(event(10), 5)).toBe("overflow");
    expect(buffer.size).toBe(0);
    expect(buffer.offer(event(11), 6)).toBe("skipped");
    expect(buffer.take()).toEqual({ kind: "resync", dropped: 12 });
    expect(buffer.take()).toBeNull();
    buffer.caughtUp();
    expect(buffer.stalled(1_000_000)).toBe(false);
    expect(buffer.offer(event(12), 7)).toBe("queued");
  });

  test("a client that never takes its resync is to be disconnected after stallDisconnectMs, and its memory stays under maxBytes", () => {
    const buffer = new SseBuffer({ maxBytes: 1000, stallDisconnectMs: 30_000 });
    let overflows = 0;
    for (let i = 0; i < 10_000; i++) {
      if (buffer.offer(event(i), 1000) === "overflow") overflows++;
      expect(buffer.size).toBeLessThanOrEqual(1000);
    }
    expect(overflows).toBe(1);
    expect(buffer.stalled(30_999)).toBe(false);
    expect(buffer.stalled(31_000)).toBe(true);
  });

  test("an empty queue takes one event larger than the bound (the first state), and the next one overflows", () => {
    const buffer = new SseBuffer({ maxBytes: 1000 });
    expect(buffer.offer(event(0, 5000), 0)).toBe("queued");
    expect(buffer.offer(event(1), 0)).toBe("overflow");
  });
});
