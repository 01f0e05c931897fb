import { describe, expect, test } from "bun:test";
import { main } from "../../../src/cli/main.ts";
import type { Output } from "../../../src/cli/follow.ts";
import { abortOnList, issuesAsFlags, testRequestFromFlags } from "../../../src/cli/options.ts";
import { formatProgress } from "../../../src/cli/progress.ts";
import { testView } from "./fixtures.ts";

const BASE = { type: "avalanche", count: "100" };

describe("--abort-on, --abort-window-s, --abort-delay-s", () => {
  test("become abort_on, abort_window_s and abort_delay_s, from repeated flags and comma lists", () => {
    const result = testRequestFromFlags({ ...BASE, "abort-on": ["errors>5%, p99>2000", "rps<10"], "abort-window-s": "3", "abort-delay-s": "2.5" });
    expect(result.ok && result.body).toEqual({ trigger: true, test_type: "AVALANCHE", message_count_per_driver: 100, abort_on: ["errors>5%", "p99>2000", "rps<10"], abort_window_s: 3, abort_delay_s: 2.5 });
    expect(abortOnList(["a,,b", " ", "c"])).toEqual(["a", "b", "c"]);
  });

  test("report every bad entry, a number that is not one, and a window or delay without --abort-on", () => {
    const bad = testRequestFromFlags({ ...BASE, "abort-on": ["errors>5%,p99<<1", "p98>3"], "abort-window-s": "soon" });
    expect(bad.ok ? [] : bad.errors).toEqual([
      '--abort-window-s must be a number, got "soon"',
      expect.stringContaining('--abort-on "p99<<1": expected <metric><op><value>'),
      expect.stringContaining('--abort-on "p98>3": unknown metric "p98"'),
    ]);
    const alone = testRequestFromFlags({ ...BASE, "abort-window-s": "3", "abort-delay-s": "1" });
    expect(alone.ok ? [] : alone.errors).toEqual(["--abort-window-s only applies with --abort-on", "--abort-delay-s only applies with --abort-on"]);
    const empty = testRequestFromFlags({ ...BASE, "abort-on": [" , "] });
    expect(empty.ok ? [] : empty.errors).toEqual(["--abort-on: give at least one threshold, e.g. --abort-on 'errors>5%'"]);
  });

  test("the API's abort_on issues are phrased with the flag", () => {
    expect(issuesAsFlags([{ path: "abort_on.1", message: '"p99<>1": expected ...' }, { path: "abort_delay_s", message: "must be at most 86400" }])).toEqual([
      '--abort-on: "p99<>1": expected ...',
      "--abort-delay-s: must be at most 86400",
    ]);
  });
});

describe("loadtest stop flags and help", () => {
  async function loadtest(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const out: Output = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), tty: false };
    const fetch = (() => Promise.reject(new Error("no network in this test"))) as unknown as typeof globalThis.fetch;
    const code = await main(argv, { env: {}, out, fetch });
    return { code, stdout, stderr };
  }

  test("stop needs one test id and a grace in range", async () => {
    expect(await loadtest(["stop"])).toEqual({ code: 2, stdout: "", stderr: "loadtest stop: give the test id (see 'loadtest list')\nRun 'loadtest stop --help' for usage.\n" });
    const bad = await loadtest(["stop", "t1", "--grace-ms=-5", "--reason", " "]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n").slice(0, 2)).toEqual(['loadtest stop: --grace-ms must be an integer from 0 to 60000, got "-5"', "loadtest stop: --reason must not be empty"]);
  });

  test("--help lists stop, and start documents Ctrl-C, --detach and --abort-on", async () => {
    expect((await loadtest(["--help"])).stdout).toMatch(/^ {2}stop {5}stop a running test/m);
    const start = (await loadtest(["start", "--help"])).stdout;
    for (const text of ["--detach", "--abort-on <expr>", "--abort-window-s", "--abort-delay-s", "Ctrl-C", "130"]) expect(start).toContain(text);
    const run = (await loadtest(["run", "--help"])).stdout;
    for (const text of ["--abort-on <expr>", "Ctrl-C"]) expect(run).toContain(text);
    expect((await loadtest(["watch", "--help"])).stdout).toContain("--detach");
    expect((await loadtest(["stop", "--help"])).stdout).toContain("--grace-ms <ms>");
  });
});

describe("the progress line of a stopping test", () => {
  test("says it is stopping and who asked, until the final result", () => {
    const view = testView({ state: "running", ended_at: null, duration_ms: 2_100, stop: { requested_at: 1, reason: "r", grace_ms: 2000, by: "threshold" } });
    expect(formatProgress(view)).toEndWith(" | 2.1 s | stopping (threshold)");
  });
});
