// The dashboard's files, embedded in the executable (`bun build --compile` inlines them;
// nothing is read from disk at run time).
import page from "./page.html" with { type: "text" };
import { clientSources } from "./client-sources.ts" with { type: "macro" };
// @ts-expect-error -- bun-types declares no *.css module; as text it is the stylesheet
import style from "./style.css" with { type: "text" };

/** The page, with `/*STYLE*\/` and `/*CONFIG*\/` placeholders. */
export const PAGE_HTML: string = page as unknown as string;
export const STYLE_CSS: string = style as string;

/** The browser modules' TypeScript sources by file name (served transpiled under /dashboard/). */
export const CLIENT_SOURCES: Readonly<Record<string, string>> = clientSources();
