import { describe, expect, test } from "bun:test";
import { ORCHESTRATOR_COMMAND, resolveConfig } from "../../../src/orchestrator/cli.ts";

const retain = (value?: string) => {
  const result = resolveConfig(value === undefined ? {} : { "retain-raw-s": value }, {});
  return result.ok ? result.config.retainRawMs : result.errors;
};

describe("--retain-raw-s", () => {
  test("defaults to 300 s, reads whole seconds, 0 (keep none beyond the snapshot) and all (keep every raw report)", () => {
    expect([retain(), retain("0"), retain("60"), retain("86400"), retain("all"), retain("ALL")]).toEqual([300_000, 0, 60_000, 86_400_000, Infinity, Infinity]);
  });

  test("names the flag and the accepted forms when the value is bad", () => {
    const message = (raw: string) => `--retain-raw-s must be whole seconds from 0 to 31536000, or all, got "${raw}"`;
    expect([retain("-1"), retain("1.5"), retain("5m"), retain("99999999999")]).toEqual([[message("-1")], [message("1.5")], [message("5m")], [message("99999999999")]]);
  });

  test("--snapshot-every-s defaults to 30 s and names itself when out of range", () => {
    const every = (value?: string) => {
      const result = resolveConfig(value === undefined ? {} : { "snapshot-every-s": value }, {});
      return result.ok ? result.config.snapshotEveryMs : result.errors;
    };
    expect([every(), every("1"), every("600")]).toEqual([30_000, 1_000, 600_000]);
    expect(every("0")).toEqual([expect.stringContaining("--snapshot-every-s")]);
  });

  test("is in --help", () => {
    expect(ORCHESTRATOR_COMMAND.usage).toContain("--snapshot-every-s <n>");
    expect(ORCHESTRATOR_COMMAND.usage).toContain("--retain-raw-s <n|all>");
    expect(ORCHESTRATOR_COMMAND.usage).toContain("0 keeps none, 'all' keeps");
  });
});
