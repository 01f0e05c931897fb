import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };

const MAIN = join(import.meta.dir, "..", "..", "target", "main.ts");

async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(["bun", MAIN, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, out, err };
}

/** Reads stdout until the first full line. */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text.split("\n")[0]!;
}

describe("bun target/main.ts", () => {
  test("prints the port it got for --port 0, serves /ping and exits 0 on SIGTERM", async () => {
    const proc = Bun.spawn(["bun", MAIN, "--port", "0", "--host", "127.0.0.1"], { stdout: "pipe", stderr: "inherit" });
    try {
      const line = await firstLine(proc.stdout);
      expect(line).toMatch(/^target listening on http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(line.split(":").at(-1));
      expect(port).toBeGreaterThan(0);
      const response = await fetch(`http://127.0.0.1:${port}/ping`);
      expect(await response.json()).toEqual({ message: "pong" });
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill("SIGKILL");
    }
  });

  test("prints usage for --help and the package version for --version", async () => {
    const help = await run(["--help"]);
    expect([help.code, help.out]).toEqual([0, expect.stringContaining("Usage: bun run target")]);
    expect(help.out).toContain("--delay-ms");
    expect(await run(["--version"])).toEqual({ code: 0, out: `${pkg.version}\n`, err: "" });
  });

  test("exits 2 naming every bad flag and variable", async () => {
    const result = await run(["--port", "eighty", "--colour"], { TARGET_ERROR_RATE: "2" });
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toBe(
      [
        "target: --colour: unknown flag (see --help)",
        'target: --port: must be an integer from 0 to 65535, got "eighty"',
        'target: TARGET_ERROR_RATE: must be a number from 0 to 1, got "2"',
        "target: see --help",
        "",
      ].join("\n"),
    );
  });
});
