import { expect, test } from "bun:test";
import { join } from "node:path";
import { parseScenarioText } from "../../../../src/cli/scenario/scenario-file.ts";

// The worked example of the README and docs/cli.md (read here like a fixture).
const EXAMPLE = join(import.meta.dir, "..", "..", "..", "..", "docs", "examples", "api-scenario.yaml");

test("the documented example scenario parses to the test it describes", async () => {
  const parsed = parseScenarioText(EXAMPLE, await Bun.file(EXAMPLE).text());
  expect(parsed.ok && { fields: parsed.scenario.fields, thresholds: parsed.scenario.thresholds }).toEqual({
    fields: {
      test_type: "AVALANCHE",
      target_url: "http://127.0.0.1:8080",
      concurrency: 64,
      requests: [
        {
          name: "create",
          method: "POST",
          url: "/items",
          weight: 1,
          headers: { authorization: "Bearer ${env:API_TOKEN}", "content-type": "application/json" },
          body: '{"id": "${node_id}-${seq}", "name": "item ${seq}", "qty": ${rand_int:1:10}}\n',
        },
        {
          name: "read",
          method: "GET",
          url: "/items/${seq}",
          weight: 3,
          headers: { authorization: "Bearer ${env:API_TOKEN}" },
          checks: { status: [200], body_includes: '"id"', max_latency_ms: 500 },
        },
      ],
      stages: [
        { duration_s: 10, target_throughput: 200 },
        { duration_s: 20, target_throughput: 200 },
        { duration_s: 5, target_throughput: 0 },
      ],
      checks: { status: [200, 201], max_latency_ms: 500 },
    },
    thresholds: ["p99<300", "errors<1%", "checks>99%"],
  });
});
