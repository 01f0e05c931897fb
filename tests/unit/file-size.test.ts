import { describe, expect, test } from "bun:test";
import { join, relative } from "node:path";

/** Most lines a source file may have (STYLE.md: small files with one job each). */
const MAX_LINES = 300;
const ROOT = join(import.meta.dir, "..", "..");

describe("file size", () => {
  test(`no TypeScript file under src/ is longer than ${MAX_LINES} lines`, async () => {
    const tooLong: string[] = [];
    let files = 0;
    for await (const path of new Bun.Glob("src/**/*.ts").scan({ cwd: ROOT, absolute: true })) {
      files++;
      const text = await Bun.file(path).text();
      const lines = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
      if (lines > MAX_LINES) tooLong.push(`${relative(ROOT, path)}: ${lines} lines`);
    }
    expect(files).toBeGreaterThan(50);
    expect(tooLong).toEqual([]);
  });
});
