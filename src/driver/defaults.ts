/** Every default and tuning constant of the driver, in one place. Milliseconds throughout. */

/** A heartbeat every second, during tests and between them. */
export const HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * Twin detection reads the fleet's heartbeats in batches of this period (SubscribeOptions.batchMs):
 * one fetch and one offset commit per period instead of one per beat or two. Every driver reads
 * every heartbeat, so at 64 drivers that was 64 × 64 beats a second, fetched and committed a
 * few at a time. A twin is found this much later at most; it exits 2 beats after that.
 */
export const TWIN_WATCH_BATCH_MS = 2_000;

/**
 * The orchestrator lists node_ids in conflict in its clock messages (every ~2 s while a driver
 * beats), which also tells the drivers it watches for twins. A driver that has seen no such
 * message this long after it started (no orchestrator, or an older one) reads the fleet's
 * heartbeats itself. Long enough that 64 drivers starting at once on a loaded machine, whose
 * first clock message can take many seconds, do not all start reading every heartbeat.
 */
export const TWIN_WATCH_FALLBACK_MS = 30_000;

/**
 * How often a driver's bus checks that its topics exist and were not recreated (the
 * orchestrator's checks every TOPIC_CHECK_MS, 1 s). A check is about 20 admin requests
 * (metadata, end offsets and committed offsets of each subscribed topic): 64 drivers checking
 * every second sent the broker over a thousand a second. A consumer or producer that meets a
 * missing topic asks for a check at once, so a deleted topic is still noticed at once.
 */
export const DRIVER_TOPIC_CHECK_MS = 5_000;

/** A metrics report every second while a test runs (and a final one at its end). */
export const REPORT_INTERVAL_MS = 1_000;

/** A trigger that arrives before its configuration is held this long. */
export const TRIGGER_HOLD_MS = 30_000;

/** Per-request timeout when the configuration gives none. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * AVALANCHE in-flight cap when the configuration gives none. Plain-http targets go through
 * the HTTP/1.1 pool (one connection per slot, any cap); through fetch (https), Bun 1.4.x keeps
 * only 64 idle keep-alive sockets per process, so more in flight churns connections there.
 */
export const DEFAULT_AVALANCHE_CONCURRENCY = 64;

/** TSUNAMI in-flight cap when the configuration gives none: high, since sends are open-model. */
export const DEFAULT_TSUNAMI_CONCURRENCY = 1_024;

/**
 * A paced send that starts more than this after its due time counts as `late`. The pacing timer
 * (precise-timer.ts; setTimeout's 1 ms steps without it) wakes at most every
 * {@link PACING_MIN_WAKE_MS} and a wake-up releases every send due by then, so a few ms is the
 * noise floor; anything later is the driver (or its machine) failing to keep the schedule.
 */
export const LATE_THRESHOLD_MS = 5;

/**
 * Token-bucket tolerance as time: the bucket holds max(2, rate × 1 s) tokens, a classic
 * one-second bucket. A run starts with it empty (no opening burst); after that it lets the
 * driver make up for up to a second of lateness (a stalled event loop, a loaded machine), so
 * the achieved rate over a run stays at the target. With a 10 ms bucket, every stall longer
 * than 10 ms was lost for good: 500/s measured 18% slow on a busy 2-core machine.
 */
export const BUCKET_BURST_MS = 1000;
export const MIN_BUCKET_BURST = 2;

/**
 * Made-up time never arrives as one burst: a second limiter caps the instantaneous rate at
 * 1.1 × the target with a 10 ms burst (at least 2 tokens). So `target_throughput` stays a cap
 * (never more than 10% over it in any window beyond that small burst) while a stall of S ms is
 * made up within the next 10 × S ms, keeping a run's achieved rate at the target.
 */
export const PEAK_RATE_FACTOR = 1.1;
export const PEAK_BURST_MS = 10;

/**
 * Requests that start within this many ms share one AbortController and timeout timer
 * (finer for short timeouts: at most 5% of the timeout). A timeout fires between
 * `timeout_ms` and `timeout_ms` + this after the request started, never before.
 */
export const TIMEOUT_GROUP_MS = 5;

/**
 * Shortest sleep of the precise pacing timer: a paced loop wakes at most every 0.5 ms, so at
 * high rates one wake-up releases a batch (10 sends at 20,000/s) instead of one send per
 * wake-up, each costing a Worker round trip (at the price of up to this much more lag there).
 */
export const PACING_MIN_WAKE_MS = 0.5;

/** Sends started in one turn of the event loop before the loop yields (heartbeats, I/O). */
export const MAX_SENDS_PER_TURN = 256;

/** How long `stop()` waits for queued reports and events to reach the bus. */
export const SHUTDOWN_FLUSH_MS = 15_000;

/** Outbox retry backoff bounds while the bus refuses messages. */
export const OUTBOX_RETRY_MIN_MS = 100;
export const OUTBOX_RETRY_MAX_MS = 5_000;

/** Finished test ids remembered, so a redelivered configuration or trigger does not rerun a test. */
export const FINISHED_TESTS_REMEMBERED = 64;

/** Accepted, not yet triggered configurations kept; past this the oldest is forgotten. */
export const ACCEPTED_PLANS_KEPT = 32;

/**
 * Longest response body read, in bytes (64 MiB): bodies are drained chunk by chunk and never
 * kept, so this bounds the time and bandwidth one request may take, not memory. A longer (or
 * endless) body is abandoned once past it, its connection closed, and the request counted in
 * its status class and in `body_too_large`. `--max-body-bytes` changes it.
 */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Ids of configurations forgotten past ACCEPTED_PLANS_KEPT, remembered to refuse their trigger at once. */
export const EVICTED_TESTS_REMEMBERED = 1_024;

/**
 * A trigger for a test whose configuration this driver forgot (past ACCEPTED_PLANS_KEPT) waits
 * this long past its `start_at` for the configuration to come again (the orchestrator
 * re-publishes it right before each trigger, on another topic that may be read a little later),
 * then is refused with TEST_REJECTED and the reason.
 */
export const FORGOTTEN_CONFIG_GRACE_MS = 2_000;

/**
 * A TSUNAMI run that is still sending this many times its schedule's length (plus its
 * request timeout and {@link PLANNED_END_SLACK_MS}) after it started halts itself, as if told to
 * stop: the guard for a driver that missed every stop (cut off from the stop topic). Only
 * TSUNAMI has a schedule to go by; an AVALANCHE's `target_throughput` is a cap, not a
 * schedule (a low concurrency may rightly keep it far below), so it gets no planned end.
 */
export const PLANNED_END_FACTOR = 3;
export const PLANNED_END_SLACK_MS = 60_000;

/**
 * A publish the bus has neither acknowledged nor failed for this long is reported once (outbox
 * and heartbeat): with acks=all on a cluster that lost its quorum, the idempotent producer
 * blocks instead of failing, and the driver says so instead of going quiet.
 */
export const PUBLISH_STALL_WARN_MS = 5_000;
