import { Hono } from "hono";
import { z } from "zod";
import { wireId } from "../../protocol/fields.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { ApiError } from "./errors.ts";
import { reportCsv } from "./report-csv.ts";
import { reportHtml } from "./report-html.ts";
import { seriesRecorderFor } from "./report-recorder.ts";
import { testDistribution } from "./compare-routes.ts";

/** `GET /tests/:id/report` query: the format, and whether to answer as a download. */
export const ReportQuerySchema = z.object({ format: z.enum(["json", "csv", "html"]).default("json"), download: z.enum(["0", "1"]).optional() });

/**
 * `GET /tests/:id/report?format=json|csv|html[&download=1]`: the test's full result with its
 * per-second series (from memory, or rebuilt from the stored reports after a restart).
 */
export function reportRoutes(orchestrator: Orchestrator): Hono {
  const app = new Hono();
  const recorder = seriesRecorderFor(orchestrator);

  app.get("/tests/:id/report", (c) => {
    const id = c.req.param("id");
    const query = ReportQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new ApiError(422, "invalid query: format must be json, csv or html", [{ path: "format", message: "must be json, csv or html" }]);
    const test = wireId().safeParse(id).success ? orchestrator.getTest(id) : null;
    if (!test) throw new ApiError(404, `no test ${JSON.stringify(id.slice(0, 128))}`);
    const series = recorder.series(id);
    const { format, download } = query.data;
    if (download === "1") c.header("Content-Disposition", `attachment; filename="loadtest-${id}.${format}"`);
    if (format === "csv") return c.body(reportCsv(test, series), 200, { "content-type": "text/csv; charset=utf-8" });
    if (format === "html") return c.html(reportHtml(test, series, Date.now(), testDistribution(orchestrator, test)));
    return c.json({ test, series });
  });

  return app;
}
