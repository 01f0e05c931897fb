/**
 * STYLE.md 7: a one-line doc comment on each export. Checked here for the bus, the stats, the
 * protocol and one-process mode. A `type X = z.infer<typeof XSchema>` right after its
 * documented schema shares the schema's comment.
 */
import { expect, test } from "bun:test";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const DIRS = ["src/bus", "src/stats", "src/protocol", "src/local", "src/security"];

/** `file:line: declaration` for every export declaration not preceded by a doc comment. */
async function undocumentedExports(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for await (const path of new Bun.Glob("**/*.ts").scan({ cwd: join(ROOT, dir), absolute: true })) {
    const lines = (await Bun.file(path).text()).split("\n");
    let previous = "";
    lines.forEach((line, i) => {
      const declaration = /^export (?:declare |abstract |async )*(?:function\*?|const|let|class|interface|type|enum) /.test(line);
      const inferredFromSchema = /^export type (\w+)\b.* = z\.infer<typeof \1Schema>;/.test(line) && /^export const \w+Schema\b|^\}\)|^\s*\.|^\);/.test(previous);
      if (declaration && !inferredFromSchema && !/\*\/\s*$/.test(previous)) missing.push(`${relative(ROOT, path)}:${i + 1}: ${line.slice(0, 60)}`);
      if (line.trim() !== "") previous = line;
    });
  }
  return missing.sort();
}

test("every export of the bus, stats, protocol and local modules has a doc comment", async () => {
  const missing = (await Promise.all(DIRS.map(undocumentedExports))).flat();
  expect(missing).toEqual([]);
});
