import { describe, expect, test } from "bun:test";
import { decode, encode, type MessageOf } from "../../../src/protocol/index.ts";

const fullReport: MessageOf<"metrics"> = {
  node_id: "d1",
  test_id: "t1",
  report_id: "d1:t1:3",
  metrics: { mean_latency: 2.5, median_latency: 2.1, min_latency: 0.4, max_latency: 19.25, p90_latency: 4, p95_latency: 5.5, p99_latency: 12 },
  sequence: 3,
  final: true,
  timestamp: 1_764_000_000_123,
  counts: { sent: 100, completed: 98, status_2xx: 90, status_3xx: 0, status_4xx: 3, status_5xx: 5, timeout: 1, connection_error: 1, late: 2 },
  due_metrics: { mean_latency: 3, median_latency: 2.5, min_latency: 0.4, max_latency: 25 },
  window: {
    start_ms: 1_764_000_000_000,
    end_ms: 1_764_000_001_000,
    counts: { sent: 30, completed: 30, status_2xx: 30, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 },
    latency_sum_ms: 75,
    min_latency: 0.4,
    max_latency: 9,
    digest: { means: [0.4, 2, 9], counts: [1, 28, 1] },
    due_digest: { means: [0.5, 2.2, 9.1], counts: [1, 28, 1] },
  },
  total_digest: { means: [0.4, 2, 19.25], counts: [10, 80, 8] },
  first_send_at: 1_764_000_000_001,
  last_send_at: 1_764_000_002_999,
};

describe("round trips", () => {
  const messages = {
    register: { node_id: "d1", node_IP: "127.0.0.1", message_type: "DRIVER_NODE_REGISTER", version: "0.1.0", timestamp: 1_764_000_000_000 },
    test_config: {
      test_id: "t1",
      test_type: "AVALANCHE",
      test_message_delay: 0,
      message_count_per_driver: 1000,
      target_url: "http://127.0.0.1:8080/ping",
      target_throughput: 500,
      concurrency: 64,
      timeout_ms: 10_000,
      drivers: ["d1", "d2"],
      created_at: 1_764_000_000_000,
    },
    trigger: { test_id: "t1", trigger: "YES", start_at: 1_764_000_000_250 },
    metrics: fullReport,
    heartbeat: { node_id: "d1", heartbeat: "YES", timestamp: 1_764_000_000_000, state: "running", test_id: "t1", node_IP: "127.0.0.1" },
    driver_event: { node_id: "d1", test_id: "t1", event: "TEST_REJECTED", error: "bad", issues: [{ path: "target_url", message: "missing" }], timestamp: 1_764_000_000_000 },
  } as const;

  for (const [topic, message] of Object.entries(messages)) {
    test(`${topic} survives encode then decode unchanged`, () => {
      const t = topic as keyof typeof messages;
      expect(decode(t, encode(t, message as never))).toEqual({ ok: true, value: message as never });
    });
  }
});

describe("decoding bad input returns an error naming the field, never throws", () => {
  test("not JSON", () => {
    const d = decode("heartbeat", "{nope");
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.issues[0]!.message).toStartWith("not JSON");
  });

  test("empty and null", () => {
    expect(decode("trigger", null).ok).toBe(false);
    expect(decode("trigger", "").ok).toBe(false);
  });

  test("missing field is named", () => {
    const d = decode("register", JSON.stringify({ node_IP: "1.2.3.4", message_type: "DRIVER_NODE_REGISTER" }));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.issues.map((i) => i.path)).toEqual(["node_id"]);
  });

  test("unknown message_type is named", () => {
    const d = decode("register", JSON.stringify({ node_id: "a", node_IP: "1.2.3.4", message_type: "HELLO" }));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.issues.map((i) => i.path)).toEqual(["message_type"]);
  });

  test("every wrong field is reported, not only the first", () => {
    const d = decode("test_config", JSON.stringify({ test_id: "", test_type: "RAIN", message_count_per_driver: "many", test_message_delay: -5 }));
    expect(d.ok).toBe(false);
    if (!d.ok) expect([...new Set(d.issues.map((i) => i.path))].sort()).toEqual(["message_count_per_driver", "test_id", "test_message_delay", "test_type"]);
  });

  test("digest with mismatched arrays is refused", () => {
    const bad = { ...fullReport, window: { ...fullReport.window!, digest: { means: [1, 2], counts: [1] } } };
    const d = decode("metrics", JSON.stringify(bad));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.issues[0]!.path).toBe("window.digest");
  });

  test("huge values and giant ids are refused", () => {
    const d = decode("test_config", JSON.stringify({ test_id: "x".repeat(500), test_type: "AVALANCHE", message_count_per_driver: 1e18 }));
    expect(d.ok).toBe(false);
    if (!d.ok) expect([...new Set(d.issues.map((i) => i.path))].sort()).toEqual(["message_count_per_driver", "test_id"]);
  });

  test("a message over 1 MB is refused before parsing", () => {
    const d = decode("heartbeat", "x".repeat(1_000_001));
    expect(d.ok).toBe(false);
  });

  test("encode refuses to emit an invalid message", () => {
    expect(() => encode("trigger", { test_id: "t", trigger: "NO" } as never)).toThrow(/trigger/);
  });
});

describe("lenient where the brief is loose", () => {
  test("AVALANCHE with an empty delay string means no delay", () => {
    const d = decode("test_config", JSON.stringify({ test_id: "t", test_type: "avalanche", test_message_delay: "", message_count_per_driver: 5 }));
    expect(d).toEqual({ ok: true, value: { test_id: "t", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 5 } });
  });

  test("ISO timestamps become epoch milliseconds", () => {
    const d = decode("heartbeat", JSON.stringify({ node_id: "n", heartbeat: "yes", timestamp: "2026-11-24T10:00:00.000Z" }));
    expect(d).toEqual({ ok: true, value: { node_id: "n", heartbeat: "YES", timestamp: Date.parse("2026-11-24T10:00:00.000Z") } });
  });

  test("unknown extra fields from other systems are accepted and dropped", () => {
    const d = decode("trigger", JSON.stringify({ test_id: "t", trigger: "YES", color: "blue" }));
    expect(d).toEqual({ ok: true, value: { test_id: "t", trigger: "YES" } });
  });
});
