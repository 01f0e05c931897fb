/**
 * The compiled orchestrator carries its dashboard: compiled the way `bun run build` does
 * (scripts/build.ts, which bundles the browser client first) into an empty folder and started
 * there (no source tree beside it), it serves the page and its one script bundle.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { compile } from "../../scripts/build.ts";
import { CLIENT_PATH } from "../../src/orchestrator/http/dashboard.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5; this bounds each test and hook of the file.
setDefaultTimeout(180_000);

const ROOT = join(import.meta.dir, "..", "..");
let dir: string;
let run: string;
let proc: Subprocess<"ignore", "pipe", "pipe"> | undefined;
let url: string;

beforeAll(async () => {
  const brokers = await requireKafka();
  dir = mkdtempSync(join(tmpdir(), "orchestrator-bin-"));
  const binary = join(dir, "orchestrator");
  const error = await compile(join(ROOT, "src/orchestrator/main.ts"), binary);
  if (error !== undefined) throw new Error(`build failed: ${error}`);
  run = mkdtempSync(join(tmpdir(), "orchestrator-run-"));
  proc = Bun.spawn([binary, "--port", "0", "--host", "127.0.0.1", "--db", join(run, "o.sqlite")], {
    cwd: run,
    env: { PATH: process.env.PATH ?? "", KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC_PREFIX: uniqueTopicPrefix("dashboard-bin") },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const reader = proc.stdout.getReader();
  url = await waitFor("the orchestrator to listen", async () => {
    const { value, done } = await reader.read();
    if (done) throw new Error(`orchestrator exited: ${await new Response(proc!.stderr).text()}`);
    out += new TextDecoder().decode(value);
    return /listening on (http:\/\/\S+)/.exec(out)?.[1];
  }, { timeoutMs: 60_000 });
  reader.releaseLock();
});

afterAll(async () => {
  proc?.kill("SIGTERM");
  await proc?.exited;
  for (const folder of [dir, run]) if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("dashboard in the compiled orchestrator", () => {
  test("serves the page and its one script bundle from the executable alone", async () => {
    const page = await fetch(`${url}/`);
    expect({ status: page.status, html: (await page.text()).includes(`<script type="module" src="${CLIENT_PATH}">`) }).toEqual({ status: 200, html: true });
    const response = await fetch(`${url}${CLIENT_PATH}`);
    const js = await response.text();
    // One self-contained module: nothing left to import, and the shared formatting is inside.
    expect({ status: response.status, type: response.headers.get("content-type"), imports: /\bfrom\s*["']/.test(js), big: js.length > 10_000 }).toEqual({
      status: 200,
      type: "text/javascript; charset=utf-8",
      imports: false,
      big: true,
    });
    expect(js).toContain("tokenRequired");
  });
});
