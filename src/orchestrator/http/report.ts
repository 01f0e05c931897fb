import { Hono } from "hono";
import { z } from "zod";
import type { Orchestrator } from "../orchestrator.ts";
import { ApiError } from "./errors.ts";
import { testIdParam } from "./path-params.ts";
import { reportCsv } from "./report-csv.ts";
import { reportHtml } from "./report-html.ts";

/** `GET /tests/:id/report` query: the format, and whether to answer as a download. */
export const ReportQuerySchema = z.object({
  format: z.enum(["json", "csv", "html"]).default("json"),
  download: z.enum(["0", "1"]).optional(),
  /** Issue 11: with format=json, the series is this request name's (a scenario test). */
  request: z.string().min(1).max(128).optional().describe("with format=json: the series of this request name instead of the whole test's"),
});

/**
 * `GET /tests/:id/report?format=json|csv|html[&download=1]`: the test's full result with its
 * per-second series (from memory, or rebuilt from the stored reports after a restart).
 */
export function reportRoutes(orchestrator: Orchestrator): Hono {
  const app = new Hono();

  app.get("/tests/:id/report", (c) => {
    const id = testIdParam(c);
    const query = ReportQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      const issues = query.error.issues.map((i) => ({ path: i.path.join(".") || "(query)", message: i.path[0] === "format" ? "must be json, csv or html" : i.message }));
      throw new ApiError(422, `invalid query: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
    }
    const test = orchestrator.getTest(id);
    if (!test) throw new ApiError(404, `no test ${JSON.stringify(id)}`);
    const { format, download, request } = query.data;
    const series = request === undefined ? orchestrator.series(id) : orchestrator.requestSeries(id, request);
    if (request !== undefined && series === null) throw new ApiError(404, `test ${id} has no request named ${JSON.stringify(request)}`);
    if (download === "1") c.header("Content-Disposition", `attachment; filename="loadtest-${id}.${format}"`);
    if (format === "csv") return c.body(reportCsv(test, series), 200, { "content-type": "text/csv; charset=utf-8" });
    if (format === "html") return c.html(reportHtml(test, series, Date.now(), orchestrator.distribution(id)));
    return c.json({ test, series });
  });

  return app;
}
