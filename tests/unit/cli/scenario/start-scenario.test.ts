import { expect, test } from "bun:test";
import { runCommand } from "../../../../src/cli/command.ts";
import { runCommand as loadtestRun } from "../../../../src/cli/commands/run.ts";
import { startCommand } from "../../../../src/cli/commands/start.ts";

/** Runs `loadtest start` against a fake orchestrator that answers `answer` and records what was posted. */
async function start(argv: string[], answer: Response) {
  const posted: unknown[] = [];
  const fakeFetch = (async (_url: string, init?: RequestInit) => {
    posted.push(JSON.parse(String(init?.body)));
    return answer;
  }) as unknown as typeof fetch;
  let stdout = "";
  let stderr = "";
  const code = await runCommand(startCommand, argv, {
    env: { LOADTEST_URL: "http://127.0.0.1:1" },
    out: { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), tty: false },
    fetch: fakeFetch,
  });
  return { code, stdout, stderr, posted };
}

test("start posts the request -X/-H/-d/-k and the pacing and check flags build", async () => {
  const argv = ["--type", "avalanche", "--target", "https://api.test/items", "--duration", "2m", "--stage", "10s:50", "--check", "status=201"];
  argv.push("-X", "POST", "-H", "authorization: Bearer ${env:API_TOKEN}", "-d", '{"n":${rand_int:1:9}}', "-k", "--no-wait");
  const { code, stdout, posted } = await start(argv, Response.json({ test_id: "t-1" }, { status: 201 }));
  expect({ code, stdout, posted }).toEqual({
    code: 0,
    stdout: "t-1\n",
    posted: [
      {
        trigger: true,
        test_type: "AVALANCHE",
        target_url: "https://api.test/items",
        requests: [{ method: "POST", url: "https://api.test/items", headers: { authorization: "Bearer ${env:API_TOKEN}", "content-type": "application/json" }, body: '{"n":${rand_int:1:9}}' }],
        tls_insecure: true,
        duration_s: 120,
        stages: [{ duration_s: 10, target_throughput: 50 }],
        checks: { status: [201] },
      },
    ],
  });
});

test("start names the flag behind each field the API refuses", async () => {
  const issues = [
    { path: "requests.0.method", message: "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" },
    { path: "stages", message: "must last more than 0 s" },
  ];
  const answer = Response.json({ error: "invalid test", issues }, { status: 422 });
  const { code, stderr } = await start(["--type", "avalanche", "--target", "http://t/x", "-X", "FETCH", "--stage", "0s:5"], answer);
  expect({ code, stderr }).toEqual({
    code: 2,
    stderr: "loadtest start: -X: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\nloadtest start: --stage: must last more than 0 s\nRun 'loadtest start --help' for usage.\n",
  });
});

test("--help of start and run lists every scenario flag", async () => {
  for (const command of [startCommand, loadtestRun]) {
    let stdout = "";
    const code = await runCommand(command, ["--help"], { env: {}, out: { stdout: (t: string) => void (stdout += t), stderr: () => {}, tty: false } });
    expect(code).toBe(0);
    for (const flag of ["-X, --method", "-H, --header", "-d, --data", "-k, --insecure", "--duration", "--stage", "--check", "--scenario"]) expect(stdout).toContain(flag);
  }
});
