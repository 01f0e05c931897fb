import { expect, test } from "bun:test";
import { decode, encode, type MessageOf } from "../../../src/protocol/index.ts";
import { createCommandSigner } from "../../../src/security/command-signer.ts";
import { createCommandVerifier } from "../../../src/security/command-verifier.ts";
import { generateKeyPair, importSigningKey, importTrustKey } from "../../../src/security/keys.ts";

const NOW = 1_800_000_000_000;

test("a signed scenario configuration (nested requests, JSON body, data, stages) verifies after the wire; an altered data row does not", async () => {
  const pair = await generateKeyPair();
  const signer = createCommandSigner(await importSigningKey(pair.privatePem), () => NOW);
  const verifier = createCommandVerifier([await importTrustKey(pair.publicPem)]);
  const config: MessageOf<"test_config"> = {
    test_id: "t1",
    test_type: "AVALANCHE",
    test_message_delay: 0,
    message_count_per_driver: 100,
    target_url: "http://127.0.0.1:8080/ping",
    requests: [
      { name: "create", method: "POST", url: "/items", headers: { authorization: "Bearer ${env:T}" }, body: { id: "${seq}", nested: { z: 1, a: [1, 2] } }, weight: 2 },
      { url: "http://127.0.0.1:8080/items/${data.id}", checks: { status: [200] } },
    ],
    data: [{ id: "a", extra: { b: 1 } }],
    checks: { max_latency_ms: 500 },
    stages: [{ duration_s: 5, target_throughput: 100 }],
    start_throughput: 10,
    tls_insecure: true,
  };
  const decoded = decode("test_config", encode("test_config", await signer.sign("test_config", config)));
  if (!decoded.ok) throw new Error(decoded.error);
  expect(await verifier.verify("test_config", decoded.value, NOW)).toEqual({ ok: true });
  const altered = { ...decoded.value, data: [{ id: "b", extra: { b: 1 } }] };
  expect((await verifier.verify("test_config", altered, NOW)).ok).toBe(false);
});
