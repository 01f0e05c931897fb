// The dashboard's page and stylesheet, embedded in the executable (`bun build --compile` inlines
// text imports; nothing is read from disk at run time). The script is bundled: see bundle.ts.
import page from "./page.html" with { type: "text" };
// @ts-expect-error -- bun-types declares no *.css module; as text it is the stylesheet
import style from "./style.css" with { type: "text" };

/** The page, with `/*STYLE*\/` and `/*CONFIG*\/` placeholders. */
export const PAGE_HTML: string = page as unknown as string;
/** The dashboard's stylesheet, inlined into the page. */
export const STYLE_CSS: string = style as string;
