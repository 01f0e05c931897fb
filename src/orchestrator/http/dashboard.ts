import { Hono } from "hono";
import { CLIENT_SOURCES, PAGE_HTML, STYLE_CSS } from "../../dashboard/assets.ts";

export interface DashboardOptions {
  /** The orchestrator wants a bearer token on POST: the page asks for it. */
  tokenRequired: boolean;
}

/** The page with its stylesheet and settings inlined. */
export function dashboardPage({ tokenRequired }: DashboardOptions): string {
  // JSON of a boolean cannot break out of the script element.
  return PAGE_HTML.replace("/*STYLE*/", () => STYLE_CSS).replace("/*CONFIG*/", () => JSON.stringify({ tokenRequired }));
}

const transpiled = new Map<string, string>();

/** A browser module as JavaScript: its TypeScript source with the types stripped (once, then cached). */
export function clientModule(file: string): string | null {
  const source = CLIENT_SOURCES[file];
  if (source === undefined) return null;
  let js = transpiled.get(file);
  if (js === undefined) {
    js = new Bun.Transpiler({ loader: "ts", target: "browser" }).transformSync(source);
    transpiled.set(file, js);
  }
  return js;
}

/**
 * The dashboard: `GET /` (the page) and `GET /dashboard/<module>.ts` (its browser modules,
 * served as JavaScript). Everything is embedded; no CDN, no file read at run time.
 */
export function dashboardRoutes(options: DashboardOptions): Hono {
  const app = new Hono();
  const page = dashboardPage(options);
  app.get("/", (c) => c.html(page, 200, { "cache-control": "no-store" }));
  app.get("/dashboard/:file", (c) => {
    const js = clientModule(c.req.param("file"));
    if (js === null) return c.json({ error: `no dashboard module ${c.req.param("file")}`, issues: [] }, 404);
    return c.body(js, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" });
  });
  return app;
}
