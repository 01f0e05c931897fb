// Stopping from the CLI against an orchestrator served in this process (memory bus, real
// drivers and target): Ctrl-C on start and run, `loadtest stop`, and --abort-on.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Server } from "bun";
import type { Output } from "../../src/cli/follow.ts";
import type { OnInterrupt } from "../../src/cli/interrupt.ts";
import { main } from "../../src/cli/main.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import { waitFor } from "../helpers/wait.ts";
import { startHarness, type Harness } from "./local-harness.ts";

setDefaultTimeout(60_000);

const TOKEN = "s3cret-token";
let h: Harness;
let server: Server<unknown>;

beforeAll(async () => {
  h = await startHarness({ drivers: 2, token: TOKEN });
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: h.app.fetch });
});
afterAll(async () => {
  await server?.stop(true);
  await h?.close();
});

/** Runs `loadtest` in this process; `press()` is Ctrl-C (once a handler listens). */
function loadtest(argv: string[], env: Record<string, string> = { ORCHESTRATOR_TOKEN: TOKEN }, fetchFn?: (press: () => void) => typeof fetch) {
  const io = { stdout: "", stderr: "" };
  let handler: (() => void) | null = null;
  const onInterrupt: OnInterrupt = (fn) => {
    handler = fn;
    return () => void (handler = null);
  };
  const out: Output = { stdout: (t) => void (io.stdout += t), stderr: (t) => void (io.stderr += t), tty: false };
  const press = () => handler?.();
  const code = main(argv, { env: { LOADTEST_URL: server.url.href, ...env }, out, onInterrupt, fetch: fetchFn?.(press) });
  return { io, code, press, listening: () => handler !== null };
}

const getTest = async (id: string) => (await (await h.app.request(`/tests/${id}`)).json()) as TestView;
/** A progress line showing requests sent: the test is under way. */
const SENDING = /\] +\d+% +[1-9][\d,]*\/[\d,]+ \|/;
/** A TSUNAMI of 10 s per driver: long enough to be stopped on purpose. */
const LONG = ["--type", "tsunami", "--count", "1000", "--delay", "10"];

describe("stopping from the CLI", () => {
  test("Ctrl-C on start stops the test, prints its summary with the reason and exits 130", async () => {
    const cli = loadtest(["start", ...LONG]);
    // Wait for a progress line: the test is sending.
    await waitFor("a progress line with requests sent", () => cli.listening() && SENDING.test(cli.io.stderr));
    cli.press();
    expect(await cli.code).toBe(130);
    const testId = /^test (\S+) started/m.exec(cli.io.stderr)![1]!;
    const rest = await getTest(testId);
    expect({ state: rest.state, by: rest.stop?.by, reason: rest.stop?.reason }).toEqual({ state: "stopped", by: "user", reason: "Ctrl-C in loadtest start" });
    expect(rest.metrics.counts.sent).toBeGreaterThan(0);
    expect(rest.metrics.counts.sent).toBeLessThan(2000);
    expect(cli.io.stderr).toContain(`loadtest: stopping test ${testId} (Ctrl-C again to leave without waiting)`);
    expect(cli.io.stdout).toContain(`test ${testId} stopped in `);
    expect(cli.io.stdout).toContain("  stopped by user: Ctrl-C in loadtest start");
    expect(cli.io.stderr.trim().split("\n").at(-1)).toBe(`loadtest: test ${testId} stopped on Ctrl-C`);
  });

  test("a second Ctrl-C leaves at once; the test still ends stopped", async () => {
    const cli = loadtest(["start", ...LONG]);
    await waitFor("a progress line with requests sent", () => cli.listening() && SENDING.test(cli.io.stderr));
    cli.press();
    cli.press();
    expect(await cli.code).toBe(130);
    const testId = /^test (\S+) started/m.exec(cli.io.stderr)![1]!;
    expect(cli.io.stdout).toBe("");
    expect(cli.io.stderr).toContain(`loadtest: left without waiting; test ${testId} is stopping; follow it with "loadtest watch ${testId}"`);
    expect((await waitFor("the test to end", async () => ((await getTest(testId)).ended_at !== null ? getTest(testId) : null))).state).toBe("stopped");
  });

  test("--detach leaves on Ctrl-C with the test running; loadtest stop --wait then stops it", async () => {
    const cli = loadtest(["start", ...LONG, "--detach"]);
    await waitFor("a progress line with requests sent", () => cli.listening() && SENDING.test(cli.io.stderr));
    cli.press();
    expect(await cli.code).toBe(130);
    const testId = /^test (\S+) started/m.exec(cli.io.stderr)![1]!;
    expect(cli.io.stderr).toContain(`loadtest: detached; test ${testId} keeps running`);
    expect((await getTest(testId)).state).toBe("running");

    const stop = loadtest(["stop", testId, "--grace-ms", "100", "--reason", "enough", "--wait"]);
    expect(await stop.code).toBe(0);
    expect(stop.io.stdout).toContain(`test ${testId} stopped in `);
    expect(stop.io.stdout).toContain("  stopped by user: enough (in-flight requests had 100 ms)");
    const again = loadtest(["stop", testId]);
    expect({ code: await again.code, stderr: again.io.stderr }).toEqual({ code: 1, stderr: `loadtest stop: test ${testId} has already ended (stopped)\n` });
  });

  test("a Ctrl-C while the test is being created stops it as soon as it exists; two give up waiting", async () => {
    const isCreate = (input: RequestInfo | URL, init?: RequestInit) => init?.method === "POST" && String(input).endsWith("/tests");
    // The first Ctrl-C lands while POST /tests is on its way.
    const pressOnCreate = (press: () => void) =>
      ((input: RequestInfo | URL, init?: RequestInit) => {
        if (isCreate(input, init)) press();
        return fetch(input, init);
      }) as typeof fetch;
    const cli = loadtest(["start", ...LONG, "--no-wait"], { ORCHESTRATOR_TOKEN: TOKEN }, pressOnCreate);
    expect(await cli.code).toBe(130);
    const testId = /^test (\S+) started/m.exec(cli.io.stderr)![1]!;
    expect((await getTest(testId)).stop?.reason).toBe("Ctrl-C in loadtest start");
    expect(cli.io.stdout).toContain(`test ${testId} stopped in `);

    // An orchestrator that never answers: the second Ctrl-C leaves.
    const hanging = (press: () => void) =>
      ((input: RequestInfo | URL, init?: RequestInit) => {
        if (!isCreate(input, init)) return fetch(input, init);
        press();
        press();
        return new Promise((_, reject) => {
          const signal = init?.signal;
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener("abort", () => reject(signal.reason));
        });
      }) as typeof fetch;
    const gaveUp = loadtest(["start", ...LONG], { ORCHESTRATOR_TOKEN: TOKEN }, hanging);
    expect({ code: await gaveUp.code, stderr: gaveUp.io.stderr }).toEqual({ code: 130, stderr: '\nloadtest: left before the orchestrator answered; the test may exist: see "loadtest list"\n' });
  });

  test("Ctrl-C on watch stops the test with the token; without it the refusal is said and a second Ctrl-C leaves", async () => {
    const started = loadtest(["start", ...LONG, "--no-wait"]);
    expect(await started.code).toBe(0);
    const testId = started.io.stdout.trim();
    const noToken = loadtest(["watch", testId], {});
    await waitFor("a progress line with requests sent", () => noToken.listening() && SENDING.test(noToken.io.stderr));
    noToken.press();
    await waitFor("the refusal", () => noToken.io.stderr.includes(`loadtest: could not stop test ${testId}:`));
    expect((await getTest(testId)).stop).toBeUndefined();
    noToken.press();
    expect(await noToken.code).toBe(130);

    const watch = loadtest(["watch", testId]);
    await waitFor("a progress line with requests sent", () => watch.listening() && SENDING.test(watch.io.stderr));
    watch.press();
    expect(await watch.code).toBe(130);
    expect(watch.io.stdout).toContain("  stopped by user: Ctrl-C in loadtest watch");
    expect((await getTest(testId)).state).toBe("stopped");
  });

  test("--abort-on stops the test when its threshold holds and exits 99 naming it", async () => {
    const cli = loadtest(["start", ...LONG, "--target", `${h.pingUrl}?status=500`, "--abort-on", "p99>60000,errors>10%", "--abort-window-s", "1", "--abort-delay-s", "1"]);
    expect(await cli.code).toBe(99);
    const testId = /^test (\S+) started/m.exec(cli.io.stderr)![1]!;
    const rest = await getTest(testId);
    // Every request fails; a send and its completion may fall in different seconds, so about 100%.
    const observed = rest.stop?.threshold?.observed ?? 0;
    expect({ state: rest.state, by: rest.stop?.by, threshold: rest.stop?.threshold, near100: observed > 90 && observed <= 100 }).toEqual({
      state: "stopped",
      by: "threshold",
      threshold: { expression: "errors>10%", observed, window_s: 1 },
      near100: true,
    });
    expect(rest.abort).toEqual({ abort_on: ["p99>60000", "errors>10%"], abort_window_s: 1, abort_delay_s: 1 });
    expect(cli.io.stderr).toContain(`loadtest: test ${testId} aborted: errors>10% held (${observed} over the last 1 s)`);
    expect(cli.io.stdout).toContain(`  stopped by abort_on errors>10% held: ${observed} over the last 1 s`);
  });
});

describe("loadtest run (one process)", () => {
  test("Ctrl-C stops the in-process test and prints its summary; --abort-on exits 99", async () => {
    const cli = loadtest(["run", h.pingUrl, "--drivers", "2", ...LONG]);
    await waitFor("a progress line with requests sent", () => cli.listening() && SENDING.test(cli.io.stderr));
    cli.press();
    expect(await cli.code).toBe(130);
    expect(cli.io.stdout).toMatch(/^test \S+ stopped in /);
    expect(cli.io.stdout).toContain("  stopped by user: Ctrl-C in loadtest run");

    const aborted = loadtest(["run", `${h.pingUrl}?status=503`, ...LONG, "--abort-on", "errors>50%", "--abort-delay-s", "1", "--abort-window-s", "1"]);
    expect(await aborted.code).toBe(99);
    expect(aborted.io.stdout).toMatch(/^ {2}stopped by abort_on errors>50% held: [\d.]+ over the last 1 s/m);
  });
});
