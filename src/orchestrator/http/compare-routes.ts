// `GET /tests/:id/distribution` (latency by percentile) and `GET /tests/compare` (a candidate
// against its base, with verdicts). Both rebuild what they need from the orchestrator's views
// and stored reports; the figures come from the pure modules (src/stats, src/compare).
import { Hono } from "hono";
import { z } from "zod";
import { compareTests } from "../../compare/compare.ts";
import { parseRegressionThresholds } from "../../compare/regression-threshold.ts";
import { wireId } from "../../protocol/fields.ts";
import type { TestDistribution } from "../distribution.ts";
import type { Orchestrator } from "../orchestrator.ts";
import type { TestView } from "../snapshot.ts";
import { ApiError } from "./errors.ts";
import { testIdParam } from "./path-params.ts";

/** `GET /tests/compare` query: the two tests and the allowed regressions (repeatable). */
export const CompareQuerySchema = z.object({
  base: z.string().describe("the test compared against (a finished test)"),
  candidate: z.string().describe("the test judged (a finished test)"),
  max_regression: z.array(z.string()).optional().describe('repeatable: "p99=10%", "errors=0.1pp", "p50=2ms"'),
});

/** A test's distributions now, from the orchestrator's core model (as its series). */
export function testDistribution(orchestrator: Orchestrator, test: TestView): TestDistribution {
  return orchestrator.distribution(test.test_id) ?? { test_id: test.test_id, total: null, per_driver: [], by_name: {} };
}

function finishedTest(orchestrator: Orchestrator, role: "base" | "candidate", id: string | undefined): TestView {
  if (id === undefined || id === "") throw new ApiError(422, `give the ${role} test id`, [{ path: role, message: "required" }]);
  const test = wireId().safeParse(id).success ? orchestrator.getTest(id) : null;
  if (!test) throw new ApiError(404, `no ${role} test ${JSON.stringify(id.slice(0, 128))}`, [{ path: role, message: "no such test" }]);
  if (test.ended_at === null) throw new ApiError(409, `the ${role} test ${id} is still ${test.state}: compare it once it has ended`, [{ path: role, message: `test is ${test.state}` }]);
  return test;
}

/** The routes; mount them before `GET /tests/:id`, which would take `compare` for an id. */
export function compareRoutes(orchestrator: Orchestrator): Hono {
  const app = new Hono();

  app.get("/tests/compare", (c) => {
    const texts = c.req.queries("max_regression") ?? [];
    const thresholds = parseRegressionThresholds(texts, (_, i) => `max_regression.${i}`);
    if (!thresholds.ok) {
      const issues = thresholds.errors.map((e) => ({ path: e.entry, message: `"${e.text}": ${e.message}` }));
      throw new ApiError(422, `invalid max_regression: ${issues.map((i) => i.message).join("; ")}`, issues);
    }
    const base = finishedTest(orchestrator, "base", c.req.query("base"));
    const candidate = finishedTest(orchestrator, "candidate", c.req.query("candidate"));
    return c.json(compareTests(base, candidate, thresholds.value));
  });

  app.get("/tests/:id/distribution", (c) => {
    const id = testIdParam(c);
    const test = orchestrator.getTest(id);
    if (!test) throw new ApiError(404, `no test ${JSON.stringify(id)}`);
    return c.json(testDistribution(orchestrator, test));
  });

  return app;
}
