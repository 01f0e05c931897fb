import { describe, expect, test } from "bun:test";
import { decode, encode, validate, type MessageOf } from "../../../src/protocol/index.ts";
import { BROADCAST_TOPICS, TOPIC_SCHEMAS } from "../../../src/protocol/topics.ts";
import { canonicalJson, signingInput } from "../../../src/protocol/canonical.ts";
import { createCommandSigner } from "../../../src/security/command-signer.ts";
import { createCommandVerifier } from "../../../src/security/command-verifier.ts";
import { generateKeyPair, importSigningKey, importTrustKey } from "../../../src/security/keys.ts";

const NOW = 1_800_000_000_000;

async function keys() {
  const pair = await generateKeyPair();
  return { pair, signing: await importSigningKey(pair.privatePem), trust: await importTrustKey(pair.publicPem) };
}

const config: MessageOf<"test_config"> = {
  test_id: "t1", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 10, target_url: "http://127.0.0.1:8080/ping", drivers: ["d1", "d2"], created_at: NOW - 5,
};

/** What a driver sees: the signed message through the wire encoding and back. */
const overTheWire = <T extends "test_config" | "trigger">(topic: T, message: MessageOf<T>) => {
  const decoded = decode(topic, encode(topic, message));
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.value;
};

describe("canonicalJson", () => {
  test("sorts keys at every depth and leaves out undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 2, y: undefined, x: "s" }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":"s","z":2}]},"b":1}');
  });
});

describe("signed commands", () => {
  test("a signed configuration and trigger verify after the wire, with the same key id as keygen's", async () => {
    const { pair, signing, trust } = await keys();
    const signer = createCommandSigner(signing, () => NOW);
    const verifier = createCommandVerifier([trust]);
    expect(signing.keyId).toBe(pair.keyId);
    expect(trust.keyId).toBe(pair.keyId);
    const signedConfig = overTheWire("test_config", await signer.sign("test_config", config));
    expect(signedConfig).toMatchObject({ key_id: pair.keyId, issued_at: NOW });
    expect(await verifier.verify("test_config", signedConfig, NOW + 1000)).toEqual({ ok: true });
    const trigger = overTheWire("trigger", await signer.sign("trigger", { test_id: "t1", trigger: "YES", start_at: NOW + 250 }));
    expect(await verifier.verify("trigger", trigger, NOW)).toEqual({ ok: true });
  });

  test("a newer orchestrator's field this version does not know: its signed command still verifies, and altering that field is caught", async () => {
    const { signing, trust } = await keys();
    const verifier = createCommandVerifier([trust]);
    // A later version's signer: it signs what its own (larger) schema keeps, here a field ours lacks.
    const newer = { test_id: "t1", trigger: "YES", start_at: NOW + 250, key_id: signing.keyId, issued_at: NOW, future_field: { spread_ms: 40 } };
    const signature = Buffer.from(await crypto.subtle.sign("Ed25519", signing.key, signingInput("trigger", newer, ["signature"]))).toString("base64url");
    const wire = JSON.stringify({ ...newer, signature });
    const decoded = decode("trigger", wire);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.value).not.toHaveProperty("future_field");
    expect(await verifier.verify("trigger", decoded.value, NOW)).toEqual({ ok: true });
    const altered = decode("trigger", wire.replace('"spread_ms":40', '"spread_ms":41'));
    if (!altered.ok) throw new Error(altered.error);
    expect(await verifier.verify("trigger", altered.value, NOW)).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  test("refuses unsigned, altered, unknown-key, expired and future commands, each by its reason", async () => {
    const { signing, trust } = await keys();
    const other = await keys();
    const verifier = createCommandVerifier([trust]);
    const signed = await createCommandSigner(signing, () => NOW).sign("test_config", config);
    const reasons = async (message: object, now = NOW) => {
      const verdict = await verifier.verify("test_config", message, now);
      return verdict.ok ? "ok" : verdict.reason;
    };
    expect({
      unsigned: await reasons(config),
      altered: await reasons({ ...signed, target_url: "http://10.0.0.1/" }),
      reissued: await reasons({ ...signed, issued_at: NOW + 1 }),
      other_key: await reasons(await createCommandSigner(other.signing, () => NOW).sign("test_config", config)),
      spoofed_key_id: await reasons({ ...(await createCommandSigner(other.signing, () => NOW).sign("test_config", config)), key_id: signing.keyId }),
      expired: await reasons(signed, NOW + 5 * 60_000 + 1),
      future: await reasons(signed, NOW - 31_000),
      in_skew: await reasons(signed, NOW - 29_000),
    }).toEqual({
      unsigned: "unsigned",
      altered: "bad_signature",
      reissued: "bad_signature",
      other_key: "unknown_key",
      spoofed_key_id: "bad_signature",
      expired: "expired",
      future: "not_yet_valid",
      in_skew: "ok",
    });
  });

  test("a signature of one topic is not valid on another", async () => {
    const { signing, trust } = await keys();
    const signed = await createCommandSigner(signing, () => NOW).sign("trigger", { test_id: "t1", trigger: "YES" });
    expect(await createCommandVerifier([trust]).verify("stop", signed, NOW)).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  test("rotation: a driver trusting the old and the new key accepts both, and the new one alone after", async () => {
    const old = await keys();
    const fresh = await keys();
    const both = createCommandVerifier([old.trust, fresh.trust]);
    const byOld = await createCommandSigner(old.signing, () => NOW).sign("test_config", config);
    const byNew = await createCommandSigner(fresh.signing, () => NOW).sign("test_config", config);
    expect([await both.verify("test_config", byOld, NOW), await both.verify("test_config", byNew, NOW)]).toEqual([{ ok: true }, { ok: true }]);
    expect(await createCommandVerifier([fresh.trust]).verify("test_config", byOld, NOW)).toMatchObject({ ok: false, reason: "unknown_key" });
  });

  test("every orchestrator→driver topic keeps the signature fields through its schema (none stripped)", () => {
    const fields = { key_id: "0123456789abcdef", issued_at: NOW, signature: "A".repeat(86) };
    const samples: Record<string, object> = { test_config: config, trigger: { test_id: "t1", trigger: "YES" }, stop: { test_id: "t1", stop: "YES", reason: "r", stop_grace_ms: 0 }, clock: { t3: NOW, samples: [] } };
    for (const topic of BROADCAST_TOPICS) {
      const parsed = TOPIC_SCHEMAS[topic].safeParse({ ...samples[topic], ...fields });
      expect({ topic, fields: parsed.success ? Object.fromEntries(Object.keys(fields).map((k) => [k, (parsed.data as Record<string, unknown>)[k]])) : parsed.error.message }).toEqual({ topic, fields });
    }
  });

  test("a peer that ignores the added fields still reads a signed message", async () => {
    const { signing } = await keys();
    const signed = JSON.parse(encode("test_config", await createCommandSigner(signing, () => NOW).sign("test_config", config)));
    const { signature, key_id, issued_at, ...brief } = signed;
    expect(typeof signature).toBe("string");
    expect(validate("test_config", brief).ok).toBe(true);
  });
});
