import { describe, expect, test } from "bun:test";
import { ORCHESTRATOR_COMMAND, resolveConfig } from "../../../src/orchestrator/cli.ts";

const forget = (value?: string) => {
  const result = resolveConfig(value === undefined ? {} : { "forget-dead-after": value }, {});
  return result.ok ? result.config.forgetDeadAfterMs : result.errors;
};

describe("--forget-dead-after", () => {
  test("defaults to 24 hours and reads ms, s, m, h and d", () => {
    expect([forget(), forget("90s"), forget("30m"), forget("7d"), forget("1500"), forget("1.5h")]).toEqual([
      86_400_000, 90_000, 1_800_000, 604_800_000, 1_500, 5_400_000,
    ]);
  });

  test("names the flag and the accepted forms when the value is bad or out of range", () => {
    const message = (raw: string) => `--forget-dead-after must be a duration from 1s to 365d such as 90s, 30m, 24h or 7d, got "${raw}"`;
    expect([forget("soon"), forget("500ms"), forget("400d")]).toEqual([[message("soon")], [message("500ms")], [message("400d")]]);
  });

  test("is in --help", () => {
    expect(ORCHESTRATOR_COMMAND.usage).toContain("--forget-dead-after <time>");
    expect(ORCHESTRATOR_COMMAND.usage).toContain("DELETE /nodes/:id");
  });
});
