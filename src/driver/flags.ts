import type { CommandSpec } from "../cli-flags.ts";

/** The `driver` command line. */
export const DRIVER_COMMAND = {
  name: "driver",
  usage: `Usage: bun run driver [flags]

Runs a load-test driver: registers with the orchestrator over Kafka, heartbeats every
second, and runs each test it is configured and triggered for against the target URL.

Flags:
  --brokers <host:port,...>   Kafka brokers (env KAFKA_BROKERS; default 127.0.0.1:9092)
  --topic-prefix <prefix>     prefix of every topic name (env KAFKA_TOPIC_PREFIX; default none)
  --node-id <id>              this driver's id (env NODE_ID; default <hostname>-<4 random hex>);
                              one process per id: a driver that finds another live driver
                              with its id exits (status 3) if it started later
  --advertise-ip <address>    node_IP to register with (env NODE_IP; default: the local
                              address of a connection to the first broker)
  --http-client <kind>        auto (default): our HTTP/1.1 keep-alive pool for http:// and
                              https:// targets; fetch: Bun's fetch always (env HTTP_CLIENT)
  --max-body-bytes <n>        longest response body read (env MAX_BODY_BYTES; default 67108864,
                              64 MiB); a longer one is abandoned there, its connection closed,
                              and counted in its status class and in body_too_large
  --workers <n|auto>          Bun Workers to send on (env DRIVER_WORKERS; default 1, the main
                              thread): each runs its share of a test with its own HTTP pool,
                              pacer and stats, merged into one report a second; auto = one
                              per available core
  --trust-key <file>          Ed25519 public key (PEM) of the orchestrator; repeat it to trust two
                              during a rotation (env DRIVER_TRUST_KEY, comma-separated). Set, every
                              test_config, trigger and stop must be signed by one of them, fresh
                              (5 min) and not replayed, or it is refused, counted and reported
  --allow-target <h[:p],..>   hosts this driver may send to, the orchestrator's syntax; * any
                              (env DRIVER_ALLOW_TARGET; default any)
  --max-rps <n>               highest request rate one test may ask of this driver (env DRIVER_MAX_RPS)
  --max-concurrency <n>       most requests in flight one test may ask (env DRIVER_MAX_CONCURRENCY);
                              a test outside these is rejected (TEST_REJECTED naming the rule)
  --report-key <file>         the fleet's report key: every report carries its HMAC (env DRIVER_REPORT_KEY)
  --no-clock-correction       start on this driver's own clock: the offset to the orchestrator's clock
                              is still measured and reported, but not applied to start times; the
                              driver is flagged on /nodes (env CLOCK_CORRECTION=off)
  --help                      print this help
  --version                   print the version

Environment:
  LOG_LEVEL                   debug, info (default), warn or error
  LOADTEST_LATENCY_DUMP       folder: write <node_id>-<test_id>.json with every latency
                              at the end of each test (for exact-median checks)
  KAFKA_SSL, KAFKA_SSL_CA, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD

Example:
  KAFKA_BROKERS=kafka:9092 bun run driver --node-id driver-1`,
  flags: {
    brokers: { type: "string" },
    "topic-prefix": { type: "string" },
    "node-id": { type: "string" },
    "advertise-ip": { type: "string" },
    "http-client": { type: "string" },
    "max-body-bytes": { type: "string" },
    workers: { type: "string" },
    "trust-key": { type: "string", multiple: true },
    "allow-target": { type: "string" },
    "max-rps": { type: "string" },
    "max-concurrency": { type: "string" },
    "report-key": { type: "string" },
    "no-clock-correction": { type: "boolean" },
  },
} satisfies CommandSpec<{
  brokers: { type: "string" };
  "topic-prefix": { type: "string" };
  "node-id": { type: "string" };
  "advertise-ip": { type: "string" };
  "http-client": { type: "string" };
  "max-body-bytes": { type: "string" };
  workers: { type: "string" };
  "trust-key": { type: "string"; multiple: true };
  "allow-target": { type: "string" };
  "max-rps": { type: "string" };
  "max-concurrency": { type: "string" };
  "report-key": { type: "string" };
  "no-clock-correction": { type: "boolean" };
}>;
