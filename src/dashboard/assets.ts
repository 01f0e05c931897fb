// The dashboard's files, embedded in the executable as text (`bun build --compile` bundles
// them; nothing is read from disk at run time). tsc types a `.ts` file imported as text as the
// module itself, hence the expect-error lines: at run time each binding is the file's source.
import page from "./page.html" with { type: "text" };
// @ts-expect-error -- bun-types declares no *.css module; as text it is the stylesheet
import style from "./style.css" with { type: "text" };
// @ts-expect-error -- text import of a TypeScript file (Bun 1.4.5: the default export is its source)
import chartData from "./client/chart-data.ts" with { type: "text" };
// @ts-expect-error -- text import, see above
import chart from "./client/chart.ts" with { type: "text" };
// @ts-expect-error -- text import, see above
import format from "./client/format.ts" with { type: "text" };
// @ts-expect-error -- text import, see above
import main from "./client/main.ts" with { type: "text" };
// @ts-expect-error -- text import, see above
import render from "./client/render.ts" with { type: "text" };

/** The page, with `/*STYLE*\/` and `/*CONFIG*\/` placeholders. */
export const PAGE_HTML: string = page as unknown as string;
export const STYLE_CSS: string = style as unknown as string;

/** The browser modules' TypeScript sources by file name (served transpiled under /dashboard/). */
export const CLIENT_SOURCES: Readonly<Record<string, string>> = {
  "chart-data.ts": chartData,
  "chart.ts": chart,
  "format.ts": format,
  "main.ts": main,
  "render.ts": render,
};
