// `--scenario file.json|file.yaml`: a whole test (the POST /tests fields) in one file, plus the
// CLI's own `thresholds`, which stay in the CLI.
import type { ReadFile } from "./request-flags.ts";

/** A scenario file's test fields (sent to the API as they are) and its thresholds. */
export interface ScenarioFile {
  path: string;
  fields: Record<string, unknown>;
  thresholds?: string[];
}

/** Parses a scenario's text: YAML for .yaml/.yml (Bun's built-in parser), JSON otherwise. */
export function parseScenarioText(path: string, text: string): { ok: true; scenario: ScenarioFile } | { ok: false; error: string } {
  const yaml = /\.ya?ml$/i.test(path);
  let value: unknown;
  try {
    value = yaml ? Bun.YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `--scenario ${path}: not valid ${yaml ? "YAML" : "JSON"}: ${(err as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: `--scenario ${path}: must hold one ${yaml ? "mapping" : "object"} of test fields (test_type, requests, stages, …)` };
  }
  const { thresholds, ...fields } = value as Record<string, unknown>;
  if (thresholds === undefined) return { ok: true, scenario: { path, fields } };
  if (!Array.isArray(thresholds) || !thresholds.every((t) => typeof t === "string")) {
    return { ok: false, error: `--scenario ${path}: thresholds must be a list of expressions like "p99<200"` };
  }
  return { ok: true, scenario: { path, fields, thresholds } };
}

/** Reads and parses the file named by --scenario; errors name the flag and the file. */
export function loadScenario(path: string, readFile: ReadFile): { ok: true; scenario: ScenarioFile } | { ok: false; error: string } {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    return { ok: false, error: `--scenario ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  return parseScenarioText(path, text);
}
