import { expect, test } from "bun:test";
import { throttledRejectLog } from "../../../src/bus/index.ts";
import { createLogger } from "../../../src/log.ts";

test("logs the first rejection of each topic, then one line per interval with how many were suppressed", () => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  let now = 0;
  const onReject = throttledRejectLog(log, 10_000, () => now);
  for (let i = 0; i < 1_000; i++) onReject("metrics", `bad ${i}`);
  onReject("heartbeat", "bad beat");
  now = 10_000;
  onReject("metrics", "later");
  expect(lines.map(({ topic, error, suppressed_since_last }) => ({ topic, error, suppressed_since_last }))).toEqual([
    { topic: "metrics", error: "bad 0", suppressed_since_last: undefined },
    { topic: "heartbeat", error: "bad beat", suppressed_since_last: undefined },
    { topic: "metrics", error: "later", suppressed_since_last: 999 },
  ]);
});
