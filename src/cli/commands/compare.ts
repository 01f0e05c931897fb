import { parseRegressionThresholds } from "../../compare/regression-threshold.ts";
import { CliError } from "../client.ts";
import { usageError, type Command } from "../command.ts";
import { formatComparison } from "../compare-table.ts";
import { comparisonCases, writeJunit } from "../junit.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, clientFrom } from "../options.ts";
import { THRESHOLD_EXIT_CODE } from "../thresholds.ts";

/** `loadtest compare BASE CANDIDATE`: a candidate test against its base, with verdicts for CI. */
export const compareCommand: Command = {
  name: "compare",
  summary: "compare a test with a base test; exit 99 on a regression beyond --max-regression",
  usage: `Usage: loadtest compare <base-test-id> <candidate-test-id> [--max-regression M=N%|Npp|Nms]... [--json] [--junit FILE]

Compares two finished tests metric by metric: throughput (req/s), error rate, p50, p90, p95,
p99, max and the share of late sends, each with the base, the candidate, the change and the
relative change. Throughput is worse when it drops; every other metric when it rises.
Scenario tests get the same table for each request name both tests sent.
Exit code: 0 when every --max-regression holds, 99 when a regression exceeds one, 1 when a
test is unknown or still running, 2 for bad flags.

Flags:
  --max-regression <m=n>  allowed regression, repeatable: <metric>=<n>% relative to the base,
                          <n>pp percentage points (errors, late) or <n>ms (p50..max); metrics:
                          throughput (or rps), errors, p50, p90, p95, p99, max, late;
                          a {name:<request>} tag judges that request's metric only
                          e.g. --max-regression p99=10% --max-regression errors=0.1pp
                               --max-regression "p99{name:create}=20%"
  --json                  print the comparison as JSON
  --junit <file>          also write each verdict as a JUnit XML test case
${CONNECTION_HELP}

Example:
  loadtest compare 5f1c... 9a0b... --max-regression p99=10% --max-regression errors=0.1pp --junit compare.xml`,
  flags: { ...CONNECTION_FLAGS, "max-regression": { type: "string", multiple: true }, json: { type: "boolean" }, junit: { type: "string" }, help: { type: "boolean", short: "h" } },
  async run(values, positionals, ctx) {
    const texts = (values["max-regression"] as string[] | undefined) ?? [];
    const thresholds = parseRegressionThresholds(texts);
    const errors = thresholds.ok ? [] : thresholds.errors.map((e) => `${e.entry}: ${e.message}`);
    if (positionals.length < 2) errors.push("give the base and the candidate test ids (see 'loadtest list')");
    if (positionals.length > 2) errors.push(`unexpected argument "${positionals[2]}"`);
    if (errors.length > 0) return usageError(ctx, "compare", errors);
    const [base, candidate] = positionals as [string, string];
    let comparison;
    try {
      comparison = await clientFrom(values, ctx.env, ctx.fetch).compare(base, candidate, texts);
    } catch (err) {
      // The API names the role ("no candidate test ..."); say what to do about a running one.
      if (err instanceof CliError && err.status === 409) throw new CliError(`${err.message} (follow it with 'loadtest watch')`);
      throw err;
    }
    ctx.out.stdout(values.json ? JSON.stringify(comparison, null, 2) + "\n" : formatComparison(comparison));
    const junit = values.junit as string | undefined;
    if (junit !== undefined) {
      try {
        writeJunit(junit, `loadtest compare ${base} ${candidate}`, comparisonCases(comparison));
      } catch (err) {
        throw new CliError(`cannot write --junit ${junit}: ${(err as Error).message}`);
      }
    }
    if (!comparison.passed) {
      const failed = [...comparison.metrics, ...Object.values(comparison.by_name).flat()].filter((m) => m.verdict === "fail").map((m) => m.threshold);
      ctx.out.stderr(`loadtest: regression beyond --max-regression: ${failed.join(", ")}\n`);
      return THRESHOLD_EXIT_CODE;
    }
    return 0;
  },
};
