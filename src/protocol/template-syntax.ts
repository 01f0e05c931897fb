/**
 * The grammar of a scenario's `${...}` templates (issue 11), in url, header values and body:
 * `${seq}` `${node_id}` `${test_id}` `${uuid}` `${now_ms}` `${rand_int:MIN:MAX}` `${env:NAME}`
 * `${data.FIELD}`. The protocol owns it so the API and the driver refuse the same texts; the
 * driver compiles the tokens (driver/scenario/template.ts).
 */

/** One piece of a parsed template text. */
export type TemplateToken =
  | { kind: "text"; text: string }
  | { kind: "seq" | "node_id" | "test_id" | "uuid" | "now_ms" }
  | { kind: "rand_int"; min: number; max: number }
  | { kind: "env"; name: string }
  | { kind: "data"; field: string };

/** A text split into tokens, and every problem found (unknown or malformed templates). */
export interface ParsedTemplate {
  tokens: TemplateToken[];
  issues: string[];
}

const SIMPLE = new Set(["seq", "node_id", "test_id", "uuid", "now_ms"]);
const RAND_INT = /^rand_int:(-?\d{1,15}):(-?\d{1,15})$/;
const ENV = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
const DATA = /^data\.(.+)$/;

/** True when `text` holds a template opener (a text without one is sent as it is). */
export function hasTemplates(text: string): boolean {
  return text.includes("${");
}

/** One template's inner text (between `${` and `}`) as a token, or why it is not one. */
function tokenOf(inner: string): TemplateToken | string {
  if (SIMPLE.has(inner)) return { kind: inner as "seq" };
  const rand = RAND_INT.exec(inner);
  if (rand) {
    const min = Number(rand[1]);
    const max = Number(rand[2]);
    return min <= max ? { kind: "rand_int", min, max } : `template \${${inner}}: MIN must not exceed MAX`;
  }
  const env = ENV.exec(inner);
  if (env) return { kind: "env", name: env[1]! };
  const data = DATA.exec(inner);
  if (data) return { kind: "data", field: data[1]! };
  return `unknown template \${${inner}}`;
}

/** Splits `text` into literal text and templates; every unknown or unclosed template is an issue. */
export function parseTemplate(text: string): ParsedTemplate {
  const tokens: TemplateToken[] = [];
  const issues: string[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf("${", at);
    if (open < 0) break;
    const close = text.indexOf("}", open + 2);
    if (close < 0) {
      issues.push(`unclosed template ${text.slice(open, open + 32)}`);
      break;
    }
    if (open > at) tokens.push({ kind: "text", text: text.slice(at, open) });
    const token = tokenOf(text.slice(open + 2, close));
    if (typeof token === "string") issues.push(token);
    else tokens.push(token);
    at = close + 1;
  }
  if (at < text.length) tokens.push({ kind: "text", text: text.slice(at) });
  return { tokens, issues };
}

/** Every problem with the templates of `text` (`unknown template ${foo}`, ...); empty when all are known. */
export function templateIssues(text: string): string[] {
  return hasTemplates(text) ? parseTemplate(text).issues : [];
}

/** The `${data.FIELD}` fields `text` uses (to check that the test has `data`). */
export function dataFields(text: string): string[] {
  if (!hasTemplates(text)) return [];
  return parseTemplate(text).tokens.flatMap((t) => (t.kind === "data" ? [t.field] : []));
}
