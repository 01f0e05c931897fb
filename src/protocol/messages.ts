import { z } from "zod";
import { wireCount, wireId, wireLatencyMs, wireNumber, wireTimestamp, yesFlag } from "./fields.ts";
import { REPORT_MAC_FIELD, SIGNATURE_FIELDS, VERIFIES_FIELD } from "./signature-fields.ts";
import { HEARTBEAT_CLOCK_FIELDS, REPORT_CLOCK_FIELDS, STARTED_CLOCK_FIELDS } from "./clock.ts";
import { MAX_STOP_GRACE_MS } from "./limits.ts";
import { TestParametersSchema } from "./test-parameters.ts";

/** 1. Node registration (brief), plus the deregistration a driver sends when it stops cleanly. */
export const RegisterSchema = z.object({
  node_id: wireId(),
  node_IP: z.string().min(1).max(256),
  message_type: z.enum(["DRIVER_NODE_REGISTER", "DRIVER_NODE_DEREGISTER"]),
  /** Extension: the driver's software version. */
  version: z.string().max(64).optional(),
  /** Extension: when the message was sent (epoch ms). */
  timestamp: wireTimestamp().optional(),
  ...VERIFIES_FIELD,
  /** Extension: the sending driver process (random per start), so two processes with one node_id are told apart. */
  instance_id: wireId().optional(),
});
export type Register = z.infer<typeof RegisterSchema>;

/** 2. Test configuration (brief), plus the target and pacing extensions. */
export const TestConfigSchema = z.object({
  test_id: wireId(),
  // The parameters' field list (test-parameters.ts); a missing delay is 0 on the wire.
  ...TestParametersSchema.shape,
  test_message_delay: TestParametersSchema.shape.test_message_delay.transform((v) => v ?? 0),
  /** Extension: the node_ids that take part; absent means every driver that hears it. */
  drivers: z.array(wireId()).max(4096).optional(),
  /** Extension: when the orchestrator created the test (epoch ms). */
  created_at: wireTimestamp().optional(),
  /** Extension: Ed25519 signature of the orchestrator (see signature-fields.ts). */
  ...SIGNATURE_FIELDS,
});
export type TestConfig = z.infer<typeof TestConfigSchema>;

/** 3. Trigger (brief), plus an optional common start time so drivers begin together. */
export const TriggerSchema = z.object({
  test_id: wireId(),
  trigger: yesFlag(),
  /** Extension: epoch ms at which every driver starts sending (a send never starts before it). */
  start_at: wireTimestamp().optional(),
  /** Extension: Ed25519 signature of the orchestrator (see signature-fields.ts). */
  ...SIGNATURE_FIELDS,
});
export type Trigger = z.infer<typeof TriggerSchema>;

/**
 * Extension topic: stop a test. A driver running it starts no new request, lets those in
 * flight finish for at most `stop_grace_ms`, aborts the rest (counted `stopped`) and sends its
 * final report with `reason`; a driver that accepted it and was not triggered forgets it.
 */
export const StopSchema = z.object({
  test_id: wireId(),
  stop: yesFlag(),
  reason: z.string().min(1).max(1024),
  stop_grace_ms: wireCount(MAX_STOP_GRACE_MS),
  timestamp: wireTimestamp().optional(),
  /** Extension: Ed25519 signature of the orchestrator (see signature-fields.ts). */
  ...SIGNATURE_FIELDS,
});
export type Stop = z.infer<typeof StopSchema>;

/** Outcome counts of one driver, cumulative for the test or for one window. */
export const CountsSchema = z.object({
  sent: wireCount(),
  completed: wireCount(),
  status_2xx: wireCount(),
  status_3xx: wireCount(),
  status_4xx: wireCount(),
  status_5xx: wireCount(),
  timeout: wireCount(),
  connection_error: wireCount(),
  /** Sends that started more than the lateness threshold after their due time. */
  late: wireCount(),
  /**
   * Extension: responses whose body passed the driver's cap (`--max-body-bytes`) and was
   * abandoned there. A subset of `completed` (counted in their status class too), like `late` of `sent`.
   */
  body_too_large: wireCount().optional(),
  /** Extension: requests in flight when a stop's grace ran out, aborted by the driver (absent means 0). */
  stopped: wireCount().optional(),
  /** Extension (issue 11): responses that failed the request's checks; a subset of `completed`, counted in their status class too. */
  check_failed: wireCount().optional(),
  /** Extension (issue 11): bytes written for requests and received for responses (heads and bodies), scenario sends only. */
  bytes_sent: wireCount().optional(),
  bytes_received: wireCount().optional(),
});
export type Counts = z.infer<typeof CountsSchema>;

/** A t-digest as its centroids, sorted by mean: `means[i]` carries weight `counts[i]`. */
export const DigestSchema = z
  .object({
    means: z.array(z.number().finite()).max(10_000),
    counts: z.array(z.number().positive()).max(10_000),
  })
  .refine((d) => d.means.length === d.counts.length, { message: "means and counts differ in length" });
/** A t-digest in its wire form. */
export type SerializedDigest = z.infer<typeof DigestSchema>;

/** Latency summary in milliseconds (brief's four, then the extensions). */
export const LatencySummarySchema = z.object({
  mean_latency: wireLatencyMs(),
  median_latency: wireLatencyMs(),
  min_latency: wireLatencyMs(),
  max_latency: wireLatencyMs(),
  p90_latency: wireLatencyMs().optional(),
  p95_latency: wireLatencyMs().optional(),
  p99_latency: wireLatencyMs().optional(),
});
export type LatencySummary = z.infer<typeof LatencySummarySchema>;

/** What one report window adds: its counts, exact extremes and sum, and its digests. */
export const WindowSchema = z.object({
  start_ms: wireTimestamp(),
  end_ms: wireTimestamp(),
  counts: CountsSchema,
  latency_sum_ms: wireLatencyMs(),
  min_latency: wireLatencyMs().optional(),
  max_latency: wireLatencyMs().optional(),
  digest: DigestSchema,
  /** Latency measured from each send's due time (coordinated omission), when sends are paced. */
  due_digest: DigestSchema.optional(),
});
export type Window = z.infer<typeof WindowSchema>;

/** Most request names one report (and one test) carries figures for. */
export const MAX_REQUEST_NAMES = 64;

/** Extension (issue 11): one request name's figures in a report, like the whole test's (no due-time latency). */
export const RequestReportSchema = z.object({
  counts: CountsSchema,
  metrics: LatencySummarySchema,
  window: WindowSchema.optional(),
  /** On the final report: this name's whole-test digest. */
  total_digest: DigestSchema.optional(),
  /** The reason of the first response of this name that failed its checks. */
  first_check_failure: z.string().max(1024).optional(),
});
export type RequestReport = z.infer<typeof RequestReportSchema>;

/** Longest `first_error` a report carries; the driver cuts a longer message to it. */
export const MAX_FIRST_ERROR_LENGTH = 1024;

/** 4. Metrics report (brief): `metrics` is the test so far; the extensions let the orchestrator merge exactly. */
export const MetricsReportSchema = z.object({
  node_id: wireId(),
  test_id: wireId(),
  report_id: wireId(),
  metrics: LatencySummarySchema,
  sequence: wireCount().optional(),
  final: z.boolean().optional(),
  /** Extension, on a final report: why the driver ended before sending its whole share (shut down mid-test). */
  stopped: z.string().max(4096).optional(),
  timestamp: wireTimestamp().optional(),
  counts: CountsSchema.optional(),
  /** Latency from due time, test so far (paced sends only). */
  due_metrics: LatencySummarySchema.optional(),
  window: WindowSchema.optional(),
  /** On the final report: the whole test's digest, so a lost window cannot skew the result. */
  total_digest: DigestSchema.optional(),
  total_due_digest: DigestSchema.optional(),
  /** First send of the test (epoch ms), for start-skew measurement. */
  first_send_at: wireTimestamp().optional(),
  last_send_at: wireTimestamp().optional(),
  ...REPORT_MAC_FIELD,
  /** Extension: the driver process that sent it (see RegisterSchema); reports are counted per instance. */
  instance_id: wireId().optional(),
  /** Extension: the clock offset used and the sends on the orchestrator's timeline (see clock.ts). */
  ...REPORT_CLOCK_FIELDS,
  /** Extension (issue 11): the same figures per request name of a scenario (at most {@link MAX_REQUEST_NAMES}). */
  by_request: z
    .record(z.string().min(1).max(128), RequestReportSchema)
    .refine((r) => Object.keys(r).length <= MAX_REQUEST_NAMES, { message: `at most ${MAX_REQUEST_NAMES} request names` })
    .optional(),
  /**
   * Extension: the first error of a request that got no response on this driver (a refused
   * connection, a rejected TLS certificate), so a test of connection errors says why.
   */
  first_error: z.string().max(MAX_FIRST_ERROR_LENGTH).optional(),
});
export type MetricsReport = z.infer<typeof MetricsReportSchema>;

/** 5. Heartbeat (brief), plus what the driver is doing. */
export const HeartbeatSchema = z.object({
  node_id: wireId(),
  heartbeat: yesFlag(),
  /** The brief's send time; a heartbeat without one takes the time the orchestrator received it. */
  timestamp: wireTimestamp().optional(),
  state: z.enum(["idle", "running"]).optional(),
  test_id: wireId().optional(),
  node_IP: z.string().max(256).optional(),
  ...VERIFIES_FIELD,
  /** Extension: the driver process that beats (see RegisterSchema). */
  instance_id: wireId().optional(),
  /** Extension: when that process started (epoch ms); of two live instances of one node_id the younger exits. */
  started_at: wireTimestamp().optional(),
  /** Extension: the driver's clock offset estimate (see clock.ts). */
  ...HEARTBEAT_CLOCK_FIELDS,
});
/** A heartbeat as it travels: the brief's form may leave `timestamp` out. */
export type WireHeartbeat = z.infer<typeof HeartbeatSchema>;
/** A heartbeat as received: `timestamp` filled with the time of receipt when the sender left it out. */
export type Heartbeat = WireHeartbeat & { timestamp: number };

/** Extension topic: a driver's answer to a configuration or trigger. */
export const DriverEventSchema = z.object({
  node_id: wireId(),
  test_id: wireId(),
  /** COMMAND_REJECTED (extension): a signed-commands driver refused a command; `reason` and `topic` say why and which. */
  event: z.enum(["TEST_ACCEPTED", "TEST_REJECTED", "TEST_STARTED", "TEST_FINISHED", "COMMAND_REJECTED"]),
  error: z.string().max(4096).optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).max(100).optional(),
  timestamp: wireTimestamp().optional(),
  /** Extension, on COMMAND_REJECTED: unsigned, unknown_key, bad_signature, expired, not_yet_valid or replay. */
  reason: z.string().max(64).optional(),
  /** Extension, on COMMAND_REJECTED: the topic of the refused command. */
  topic: z.string().max(64).optional(),
  /** Extension: the driver process that answers (see RegisterSchema). */
  instance_id: wireId().optional(),
  /** Extension, on TEST_STARTED: the clock offset the start was computed with (see clock.ts). */
  ...STARTED_CLOCK_FIELDS,
});
export type DriverEvent = z.infer<typeof DriverEventSchema>;
