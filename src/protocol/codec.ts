import type { z } from "zod";
import { BROADCAST_TOPICS, TOPIC_SCHEMAS, type MessageOf, type TopicKey } from "./topics.ts";

/** One problem with a message or request: where, and what. */
export interface Issue {
  path: string;
  message: string;
}

/** A decoded message, or why it was refused: every problem in `issues`, and all of them in one line as `error`. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string; issues: Issue[] };

/** Largest message we accept from the wire (Kafka's default max is 1 MB). */
export const MAX_MESSAGE_BYTES = 1_000_000;

/**
 * Largest test_config message (issue 11: a scenario carries request bodies and up to 4 MiB of
 * `data`). Its topic is created to take it (`max.message.bytes`, bus/topic-specs.ts), drivers
 * fetch it whole, and the API refuses a scenario that would not fit (MAX_SCENARIO_BYTES).
 */
export const MAX_TEST_CONFIG_BYTES = 8 * 1024 * 1024;

/** Largest message of `topic` we accept from the wire. */
export function maxMessageBytes(topic: TopicKey): number {
  return topic === "test_config" ? MAX_TEST_CONFIG_BYTES : MAX_MESSAGE_BYTES;
}

/** zod issues as `{path, message}` pairs, every one of them. */
export function toIssues(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

/** Issues in one line, every one of them: `path: message; path: message`. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join("; ");
}

/** Validates a parsed value against a topic's schema; never throws. */
export function validate<T extends TopicKey>(topic: T, value: unknown): Decoded<MessageOf<T>> {
  const result = TOPIC_SCHEMAS[topic].safeParse(value);
  if (result.success) return { ok: true, value: result.data as MessageOf<T> };
  const issues = toIssues(result.error);
  return { ok: false, error: `invalid ${topic} message: ${formatIssues(issues)}`, issues };
}

const decoder = new TextDecoder();

/**
 * The JSON each decoded command (a broadcast topic's message) arrived as, before its schema
 * dropped fields this version does not know. A signature covers every field the sender sent,
 * so a driver verifies over these: a newer orchestrator may add fields without making an
 * older driver refuse its signed commands.
 */
const wireFields = new WeakMap<object, object>();

/** The fields `message` arrived with on the wire (itself when it was not decoded from the wire). */
export function wireFieldsOf(message: object): object {
  return wireFields.get(message) ?? message;
}

/** Decodes raw bytes or text from the wire into a topic's message; never throws. */
export function decode<T extends TopicKey>(topic: T, raw: Uint8Array | string | null | undefined): Decoded<MessageOf<T>> {
  if (raw == null) return { ok: false, error: `invalid ${topic} message: empty`, issues: [{ path: "(root)", message: "empty message" }] };
  const size = typeof raw === "string" ? raw.length : raw.byteLength;
  const max = maxMessageBytes(topic);
  if (size > max) {
    return { ok: false, error: `invalid ${topic} message: ${size} bytes`, issues: [{ path: "(root)", message: `larger than ${max} bytes` }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === "string" ? raw : decoder.decode(raw));
  } catch (err) {
    return { ok: false, error: `invalid ${topic} message: not JSON`, issues: [{ path: "(root)", message: `not JSON: ${(err as Error).message}` }] };
  }
  const decoded = validate(topic, value);
  if (decoded.ok && BROADCAST_TOPICS.includes(topic) && typeof value === "object" && value !== null) wireFields.set(decoded.value as object, value);
  return decoded;
}

/** Encodes a message for the wire, validating it first so we never emit what we would reject. */
export function encode<T extends TopicKey>(topic: T, message: MessageOf<T>): string {
  const checked = validate(topic, message);
  if (!checked.ok) throw new Error(`refusing to send ${checked.error}`);
  return JSON.stringify(checked.value);
}
