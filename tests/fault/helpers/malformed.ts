/**
 * Seeded generators of bad messages for every topic, shared by the memory-bus fuzz test and the
 * real-broker one. Pure: the same seed gives the same messages, so a failure reproduces.
 * Every message `malformed()` returns fails `decode()` (checked here), so the bus's rejection
 * counts can be compared exactly with what was sent.
 */
import { decode, type TopicKey } from "../../../src/protocol/index.ts";

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, max: number) => Math.floor(random() * max);

const counts = { sent: 3, completed: 3, status_2xx: 3, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 };
const summary = { mean_latency: 1, median_latency: 1, min_latency: 1, max_latency: 1 };

/** A valid message of each topic, to be broken; ids are the fuzzer's own. */
export function template(topic: TopicKey, n: number): Record<string, unknown> {
  switch (topic) {
    case "register":
      return { node_id: `fz-${n}`, node_IP: "10.0.0.1", message_type: "DRIVER_NODE_REGISTER" };
    case "test_config":
      return { test_id: `fz-${n}`, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 10, target_url: "http://127.0.0.1:9/ping", drivers: ["fz-nobody"] };
    case "trigger":
      return { test_id: `fz-${n}`, trigger: "YES" };
    case "metrics":
      return {
        node_id: `fz-${n}`,
        test_id: `fz-${n}`,
        report_id: `fz-${n}`,
        metrics: { ...summary },
        sequence: 0,
        final: false,
        counts: { ...counts },
        window: { start_ms: 1, end_ms: 2, counts: { ...counts }, latency_sum_ms: 3, digest: { means: [1], counts: [3] } },
      };
    case "heartbeat":
      return { node_id: `fz-${n}`, heartbeat: "YES", timestamp: 1_700_000_000_000 };
    case "driver_event":
      return { node_id: `fz-${n}`, test_id: `fz-${n}`, event: "TEST_STARTED" };
    case "stop":
      return { test_id: `fz-${n}`, stop: "YES", reason: "fuzz", stop_grace_ms: 100 };
    case "clock":
      return { t3: 1_700_000_000_000, samples: [{ node_id: `fz-${n}`, t1: 1_700_000_000_000, t2: 1_700_000_000_001 }] };
  }
}

const WRONG_VALUES: unknown[] = [null, true, false, {}, [], [1, "x"], "", "not a number", -1, -0.5, 1.5, 1e308, "1e999", "NaN", { nested: { deep: [] } }];
const BAD_ENUMS: Record<string, unknown[]> = {
  message_type: ["DRIVER_NODE_EXPLODE", "", 1],
  test_type: ["TORNADO", "avalanche!", 0],
  trigger: ["NO", "maybe", false],
  heartbeat: ["NO", 0, false],
  event: ["TEST_EXPLODED", "", null],
  stop: ["NO", "later", false],
};

/** Every key path of an object, nested ones as arrays of keys. */
function paths(value: Record<string, unknown>, prefix: string[] = []): string[][] {
  return Object.entries(value).flatMap(([key, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? [[...prefix, key], ...paths(v as Record<string, unknown>, [...prefix, key])] : [[...prefix, key]],
  );
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown, remove = false): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (remove) delete node[last];
  else node[last] = value;
}

/** One candidate bad message (it may happen to be valid; `malformed` checks). */
function candidate(topic: TopicKey, random: Random, n: number, hugeBytes: number): string {
  const message = structuredClone(template(topic, n));
  const keys = paths(message);
  switch (int(random, 9)) {
    case 0: // not JSON at all
      return Array.from({ length: 1 + int(random, 64) }, () => String.fromCharCode(1 + int(random, 0xfff))).join("");
    case 1: // JSON cut short
      return JSON.stringify(message).slice(0, 1 + int(random, JSON.stringify(message).length - 1));
    case 2: // JSON that is not an object
      return JSON.stringify(pick(random, [42, "hello", [message], null, true, 1e308]));
    case 3: // a required field missing
      setPath(message, pick(random, keys), undefined, true);
      return JSON.stringify(message);
    case 4: // a field of the wrong type or range
      setPath(message, pick(random, keys), pick(random, WRONG_VALUES));
      return JSON.stringify(message);
    case 5: {
      // an enum out of its set
      const key = keys.find((p) => BAD_ENUMS[p.at(-1)!] !== undefined);
      if (key) setPath(message, key, pick(random, BAD_ENUMS[key.at(-1)!]!));
      else setPath(message, pick(random, keys), pick(random, WRONG_VALUES));
      return JSON.stringify(message);
    }
    case 6: // an id far longer than allowed, or with spaces
      setPath(message, keys.find((p) => /_id$/.test(p.at(-1)!)) ?? keys[0]!, random() < 0.5 ? "x".repeat(129 + int(random, 4000)) : "has spaces in it");
      return JSON.stringify(message);
    case 7: // something huge: a giant string field, or an oversized array
      if (random() < 0.02) return JSON.stringify({ ...message, padding: "y".repeat(hugeBytes) }).slice(0, -1);
      return JSON.stringify({ ...message, [keys[0]![0]!]: Array.from({ length: 10_001 }, (_, i) => i) });
    default: // prototype games and empty objects
      return pick(random, ['{"__proto__":{"polluted":true}}', "{}", '{"constructor":{"prototype":{"x":1}}}', "[]", "   "]);
  }
}

/**
 * `count` messages for `topic` that the bus must reject, from `seed`. `hugeBytes` bounds the
 * rare giant one (keep it under the broker's 1 MB message limit for Kafka).
 */
export function malformed(topic: TopicKey, count: number, seed: number, hugeBytes = 200_000): string[] {
  const random = seededRandom(seed);
  const out: string[] = [];
  for (let n = 0; out.length < count; n++) {
    const raw = candidate(topic, random, n, hugeBytes);
    // A mutation that happens to leave a valid message (an optional field removed) is not a bad message.
    if (!decode(topic, raw).ok) out.push(raw);
  }
  return out;
}

/** The topics the orchestrator consumes (the drivers consume the others). */
export const ORCHESTRATOR_TOPICS: readonly TopicKey[] = ["register", "heartbeat", "metrics", "driver_event"];
export const DRIVER_TOPICS: readonly TopicKey[] = ["test_config", "trigger", "stop"];
