import { describe, expect, test } from "bun:test";
import { DEFAULT_TARGET, ORCHESTRATOR_COMMAND, resolveConfig } from "../../../src/orchestrator/cli.ts";
import { parseFlags } from "../../../src/cli-flags.ts";

describe("orchestrator command line", () => {
  test("fills the defaults: port 3000, sqlite under data/, the default target's host allowed", () => {
    const result = resolveConfig({}, {});
    expect(result).toMatchObject({
      ok: true,
      config: { port: 3000, db: "data/orchestrator.sqlite", target: DEFAULT_TARGET, allowTargets: ["127.0.0.1"], deadAfterMs: 3000, heartbeatIntervalMs: 1000, token: undefined },
    });
  });

  test("flags win over the environment", () => {
    const result = resolveConfig({ port: "0", "topic-prefix": "x-", brokers: "k1:9092,k2:9092" }, { PORT: "4000", KAFKA_TOPIC_PREFIX: "y-", ORCHESTRATOR_TOKEN: "t" });
    expect(result).toMatchObject({ ok: true, config: { port: 0, token: "t", kafka: { topicPrefix: "x-", brokers: ["k1:9092", "k2:9092"] } } });
  });

  test("refuses an ORCHESTRATOR_TOKEN that cannot travel as a bearer token", () => {
    expect(resolveConfig({}, { ORCHESTRATOR_TOKEN: "has space" })).toEqual({
      ok: false,
      errors: ["ORCHESTRATOR_TOKEN must be a bearer token: letters, digits and - . _ ~ + /, optionally ending in ="],
    });
    expect(resolveConfig({}, { ORCHESTRATOR_TOKEN: "aZ0-._~+/==" })).toMatchObject({ ok: true, config: { token: "aZ0-._~+/==" } });
  });

  test("reports every bad flag by name", () => {
    const result = resolveConfig({ port: "70000", "dead-after-ms": "soon", target: "gopher://x", "allow-target": "ok.host,bad host", brokers: "nope" }, {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      '--port must be an integer from 0 to 65535, got "70000"',
      '--dead-after-ms must be an integer from 100 to 3600000, got "soon"',
      '--target "gopher://x": scheme "gopher" is not allowed: use http or https',
      '--allow-target: "bad host" is not host[:port] or *',
      'bad broker "nope": expected host:port',
    ]);
  });

  test("--summary-quiet-ms sets when a summary-only driver has finished (default 5 s), a bad value named", () => {
    expect(resolveConfig({}, {})).toMatchObject({ ok: true, config: { summaryQuietMs: 5_000 } });
    expect(resolveConfig({ "summary-quiet-ms": "2500" }, {})).toMatchObject({ ok: true, config: { summaryQuietMs: 2_500 } });
    expect(resolveConfig({ "summary-quiet-ms": "0" }, {})).toEqual({ ok: false, errors: ['--summary-quiet-ms must be an integer from 100 to 3600000, got "0"'] });
    expect(ORCHESTRATOR_COMMAND.usage).toContain("--summary-quiet-ms");
  });

  test("--bus-degraded-fail-ms sets how long a degraded bus is borne by a running test (default 30 s), a bad value named", () => {
    expect(resolveConfig({}, {})).toMatchObject({ ok: true, config: { busDegradedFailMs: 30_000 } });
    expect(resolveConfig({ "bus-degraded-fail-ms": "5000" }, {})).toMatchObject({ ok: true, config: { busDegradedFailMs: 5_000 } });
    expect(resolveConfig({ "bus-degraded-fail-ms": "10" }, {})).toEqual({ ok: false, errors: ['--bus-degraded-fail-ms must be an integer from 1000 to 3600000, got "10"'] });
    expect(parseFlags(ORCHESTRATOR_COMMAND, ["--help"])).toMatchObject({ output: expect.stringContaining("--bus-degraded-fail-ms") });
  });

  test("--clock-warn-ms sets when a driver's clock offset is flagged (default 50 ms), a bad value named", () => {
    expect(resolveConfig({}, {})).toMatchObject({ ok: true, config: { clockWarnMs: 50 } });
    expect(resolveConfig({ "clock-warn-ms": "200" }, {})).toMatchObject({ ok: true, config: { clockWarnMs: 200 } });
    expect(resolveConfig({ "clock-warn-ms": "0" }, {})).toEqual({ ok: false, errors: ['--clock-warn-ms must be an integer from 1 to 3600000, got "0"'] });
    expect(parseFlags(ORCHESTRATOR_COMMAND, ["--help"])).toMatchObject({ output: expect.stringContaining("--clock-warn-ms") });
  });

  test("answers --help and --version and refuses unknown flags", () => {
    expect(parseFlags(ORCHESTRATOR_COMMAND, ["--help"])).toMatchObject({ kind: "exit", code: 0, output: expect.stringContaining("--allow-target") });
    expect(parseFlags(ORCHESTRATOR_COMMAND, ["--version"])).toMatchObject({ kind: "exit", code: 0, output: expect.stringMatching(/^orchestrator \d/) });
    expect(parseFlags(ORCHESTRATOR_COMMAND, ["--bogus"])).toMatchObject({ kind: "exit", code: 2 });
  });
});
