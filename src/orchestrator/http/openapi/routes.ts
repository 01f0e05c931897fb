import { Hono } from "hono";
import { openApiDocument } from "./document.ts";

/** `GET /openapi.json`: the API's OpenAPI 3.1 document, built once on the first request. */
export function openApiRoutes(): Hono {
  const app = new Hono();
  let document: ReturnType<typeof openApiDocument> | null = null;
  app.get("/openapi.json", (c) => c.json((document ??= openApiDocument())));
  return app;
}
