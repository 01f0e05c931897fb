import { describe, expect, test } from "bun:test";
import { DEFAULT_KAFKA_WAIT_S, kafkaWaitFromEnv, waitForKafka } from "../../../src/bus/wait-for-kafka.ts";
import { createLogger } from "../../../src/log.ts";

function recordingLog() {
  const lines: { msg: string; attempt?: number }[] = [];
  const log = createLogger({ write: (line) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe("waitForKafka", () => {
  test("retries until the broker answers, logging each failed attempt", async () => {
    const { log, lines } = recordingLog();
    let calls = 0;
    const slept: number[] = [];
    await waitForKafka(
      async () => {
        if (++calls < 4) throw new Error("connect ECONNREFUSED 127.0.0.1:9092");
      },
      { brokers: ["127.0.0.1:9092"], log, sleep: async (ms) => void slept.push(ms) },
    );
    expect(calls).toBe(4);
    expect(slept).toEqual([500, 1000, 1500]);
    expect(lines.map((l) => [l.msg, l.attempt])).toEqual([
      ["waiting for Kafka", 1],
      ["waiting for Kafka", 2],
      ["waiting for Kafka", 3],
      ["Kafka is reachable", undefined],
    ]);
  });

  test("gives up after the wait with the last reason and the variable to change", async () => {
    const { log } = recordingLog();
    const attempt = waitForKafka(async () => Promise.reject(new Error("connect ECONNREFUSED")), {
      brokers: ["b:9092"],
      log,
      waitS: 0.001,
      sleep: () => Bun.sleep(2),
    });
    expect(attempt).rejects.toThrow(/Kafka at b:9092 did not answer within 0.001 s \(KAFKA_WAIT_S\): connect ECONNREFUSED/);
  });

  test("stops at once when the node is asked to stop", async () => {
    const { log } = recordingLog();
    const stop = new AbortController();
    stop.abort();
    expect(waitForKafka(async () => Promise.reject(new Error("down")), { brokers: ["b:9092"], log, signal: stop.signal })).rejects.toThrow(
      /stopped while waiting/,
    );
  });

  test("KAFKA_WAIT_S is read as seconds, and a bad value is named", () => {
    expect(kafkaWaitFromEnv({})).toBe(DEFAULT_KAFKA_WAIT_S);
    expect(kafkaWaitFromEnv({ KAFKA_WAIT_S: "0" })).toBe(0);
    expect(kafkaWaitFromEnv({ KAFKA_WAIT_S: "30" })).toBe(30);
    expect(() => kafkaWaitFromEnv({ KAFKA_WAIT_S: "soon" })).toThrow(/KAFKA_WAIT_S/);
  });
});
