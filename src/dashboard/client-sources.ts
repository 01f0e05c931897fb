// A Bun macro (imported `with { type: "macro" }`): runs when the importing file is bundled or
// transpiled, so the browser modules' sources are inlined into the code, and into the compiled
// executable; nothing is read at run time. A text import cannot be used for them: Bun 1.4.5's
// bundler gives a file one loader, and the report and CLI import these modules as code.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Every `src/dashboard/client/*.ts` source text by file name. */
export function clientSources(): Record<string, string> {
  const dir = join(import.meta.dir, "client");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}
