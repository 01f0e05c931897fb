import { Hono } from "hono";
import type { Orchestrator } from "../orchestrator.ts";
import { ApiError } from "./errors.ts";
import { testIdParam } from "./path-params.ts";

/**
 * `GET /tests/:id/config`: the test's whole configuration as created, `data` rows included
 * (the views carry `config.data_rows` instead, see config-view.ts).
 */
export function configRoutes(orchestrator: Orchestrator): Hono {
  const app = new Hono();
  app.get("/tests/:id/config", (c) => {
    const id = testIdParam(c);
    const config = orchestrator.getTestConfig(id);
    if (!config) throw new ApiError(404, `no test ${id}`);
    return c.json(config);
  });
  return app;
}
