/**
 * Cost of trust (issue 13): microseconds to sign and verify one test_config naming 64 drivers,
 * and to MAC one report with a 100-centroid window. `bun bench/signing-cost.ts`; prints JSON.
 */
import { createCommandSigner } from "../src/security/command-signer.ts";
import { createCommandVerifier } from "../src/security/command-verifier.ts";
import { generateKeyPair, importSigningKey, importTrustKey } from "../src/security/keys.ts";
import { reportMac } from "../src/security/report-mac.ts";
const pair = await generateKeyPair();
const signer = createCommandSigner(await importSigningKey(pair.privatePem));
const verifier = createCommandVerifier([await importTrustKey(pair.publicPem)]);
const config = { test_id: "t1", test_type: "AVALANCHE" as const, test_message_delay: 0, message_count_per_driver: 10, target_url: "http://127.0.0.1:8080/ping", drivers: Array.from({length: 64}, (_, i) => `driver-${i}`), created_at: Date.now() };
const N = 5000;
let t = performance.now();
let signed: any;
for (let i = 0; i < N; i++) signed = await signer.sign("test_config", config);
const signUs = (performance.now() - t) * 1000 / N;
t = performance.now();
for (let i = 0; i < N; i++) await verifier.verify("test_config", signed, Date.now());
const verifyUs = (performance.now() - t) * 1000 / N;
const report = { node_id: "d1", test_id: "t1", report_id: "r", metrics: { mean_latency: 1, median_latency: 1, min_latency: 1, max_latency: 1 }, window: { digest: { means: Array.from({length: 100}, (_, i) => i), counts: Array.from({length: 100}, () => 1) } } };
t = performance.now();
for (let i = 0; i < N; i++) reportMac(new Uint8Array(32), report);
const macUs = (performance.now() - t) * 1000 / N;
console.log(JSON.stringify({ signUs: signUs.toFixed(1), verifyUs: verifyUs.toFixed(1), macUs: macUs.toFixed(1) }));
