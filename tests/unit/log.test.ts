import { expect, test } from "bun:test";
import { kafkaConnectionFromEnv } from "../../src/bus/index.ts";
import { createLogger, redact } from "../../src/log.ts";

const PASSWORD = "sasl-pa55-DO-NOT-LOG";
const TOKEN = "orchestrator-token-DO-NOT-LOG";

test("a logged Kafka connection, request headers or config never carry the SASL password or the API token", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(line) });
  const connection = kafkaConnectionFromEnv("driver-1", {}, { KAFKA_SASL_MECHANISM: "scram-sha-512", KAFKA_SASL_USERNAME: "loadtest", KAFKA_SASL_PASSWORD: PASSWORD });
  log.info("connecting", { connection });
  log.warn("request refused", { headers: { Authorization: `Bearer ${TOKEN}` } });
  log.error("config", { config: { token: TOKEN, kafka: { sasl: connection.sasl } }, list: [{ password: PASSWORD }] });
  log.child({ api_key: TOKEN }).debug("child");
  const text = lines.join("\n");
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(TOKEN);
  expect(JSON.parse(lines[0]!).connection).toEqual({ brokers: ["127.0.0.1:9092"], clientId: "driver-1", topicPrefix: "", sasl: "[redacted]" });
  expect(JSON.parse(lines[1]!).headers).toEqual({ Authorization: "[redacted]" });
});

test("redaction keeps everything that is not a secret and turns errors into name and message", () => {
  expect(redact({ node_id: "d1", nested: { ORCHESTRATOR_TOKEN: "x", ok: [1, { secret: "y" }] }, err: new TypeError("boom") })).toEqual({
    node_id: "d1",
    nested: { ORCHESTRATOR_TOKEN: "[redacted]", ok: [1, { secret: "[redacted]" }] },
    err: { name: "TypeError", message: "boom" },
  });
});
