import { Hono } from "hono";
import { PAGE_HTML, STYLE_CSS } from "../../dashboard/assets.ts";
import { clientBundle } from "../../dashboard/bundle.ts";
import { ApiError } from "./errors.ts";

export interface DashboardOptions {
  /** The orchestrator wants a bearer token on POST: the page asks for it. */
  tokenRequired: boolean;
}

/** Where the page loads its one script from. */
export const CLIENT_PATH = "/dashboard/main.js";

/** The page with its stylesheet and settings inlined. */
export function dashboardPage({ tokenRequired }: DashboardOptions): string {
  // JSON of a boolean cannot break out of the script element.
  return PAGE_HTML.replace("/*STYLE*/", () => STYLE_CSS).replace("/*CONFIG*/", () => JSON.stringify({ tokenRequired }));
}

/**
 * The dashboard: `GET /` (the page) and `GET /dashboard/main.js` (its browser code as one
 * bundle). Everything is embedded in the executable; no CDN, no file read at run time.
 */
export function dashboardRoutes(options: DashboardOptions): Hono {
  const app = new Hono();
  const page = dashboardPage(options);
  const bundle = clientBundle();
  app.get("/", (c) => c.html(page, 200, { "cache-control": "no-store" }));
  app.get(CLIENT_PATH, async (c) => {
    let js: string;
    try {
      js = await bundle();
    } catch (error) {
      throw new ApiError(500, (error as Error).message);
    }
    return c.body(js, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" });
  });
  return app;
}
