// The scenario flags (-X/-H/-d/-k, --duration, --stage, --check) as POST /tests fields, with
// the flag that set each field (to name it in the API's complaints).
import { parseChecks, parseDurationFlag, parseStages } from "./pace-check-flags.ts";
import { hasRequestFlags, requestFromFlags, type ReadFile } from "./request-flags.ts";

/** The scenario flags as parseArgs returns them. */
export type ScenarioFlags = Partial<{
  method: string;
  header: string[];
  data: string[];
  insecure: boolean;
  duration: string;
  stage: string[];
  check: string[];
  scenario: string;
}>;

/** Fields the scenario flags set, which flag set each, and every problem. */
export interface ScenarioFlagFields {
  fields: Record<string, unknown>;
  sources: Record<string, string>;
  errors: string[];
}

/**
 * The test fields the scenario flags give. `target` is the URL -X/-H/-d send to (--target,
 * the URL argument of `run`, or the scenario's target_url); without one they are an error.
 */
export function scenarioFlagFields(flags: ScenarioFlags, target: string | undefined, readFile: ReadFile): ScenarioFlagFields {
  const out: ScenarioFlagFields = { fields: {}, sources: {}, errors: [] };
  const set = (field: string, source: string, value: unknown) => {
    out.fields[field] = value;
    out.sources[field] = source;
  };
  if (hasRequestFlags(flags)) {
    const built = requestFromFlags(flags, target ?? "", readFile);
    if (target === undefined) out.errors.push("-X/-H/-d need the target URL to send to: --target (the URL argument of run), or target_url in the --scenario file");
    if (!built.ok) out.errors.push(...built.errors);
    else set("requests", "-X/-H/-d", [built.request]);
  }
  if (flags.insecure) set("tls_insecure", "--insecure", true);
  if (flags.duration !== undefined) {
    const duration = parseDurationFlag(flags.duration);
    if ("error" in duration) out.errors.push(duration.error);
    else set("duration_s", "--duration", duration.value);
  }
  if (flags.stage !== undefined) {
    const { stages, errors } = parseStages(flags.stage);
    out.errors.push(...errors);
    if (errors.length === 0) set("stages", "--stage", stages);
  }
  if (flags.check !== undefined) {
    const { checks, errors } = parseChecks(flags.check);
    out.errors.push(...errors);
    if (errors.length === 0) set("checks", "--check", checks);
  }
  return out;
}
