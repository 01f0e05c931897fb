import { hasTemplates, parseTemplate, templateIssues, type TemplateToken } from "../../protocol/index.ts";

/**
 * A scenario text (url, header value, body) compiled once into parts, rendered per send (issue 11).
 * `${node_id}`, `${test_id}` and `${env:NAME}` are fixed for the test and folded in at compile
 * time, so a text using only them is a constant too; `${seq}`, `${data.FIELD}`, `${uuid}`,
 * `${rand_int:MIN:MAX}` and `${now_ms}` are rendered per send. The grammar is the protocol's
 * (protocol/template-syntax.ts), so what the API accepted compiles here.
 */

/** Lists every unknown or malformed template of a text (`unknown template ${foo}`); the protocol's check. */
export const unknownTemplates = templateIssues;

/** What templates read: fixed ids, the driver's environment, the data rows, and injected clock and randomness. */
export interface TemplateContext {
  nodeId: string;
  testId: string;
  /** The driver's environment for `${env:NAME}` (a missing name renders as ""). */
  env: Readonly<Record<string, string | undefined>>;
  /** Rows for `${data.FIELD}`: row `seq mod rows` (a missing field renders as ""). */
  data?: readonly Record<string, unknown>[] | undefined;
  /** Epoch ms for `${now_ms}`. */
  now: () => number;
  /** Uniform in [0, 1) for `${rand_int:MIN:MAX}`. */
  random: () => number;
  /** A fresh UUID for `${uuid}`. */
  uuid: () => string;
}

/** A compiled text: `constant` when nothing varies per send, else `render(seq)`. */
export interface CompiledTemplate {
  /** The text itself when it does not vary per send; null when it does. */
  readonly constant: string | null;
  /** The text of send `seq` (the test's 0-based send index). */
  render(seq: number): string;
  /** The text as its fixed strings and per-send functions, in order (a writer may encode the fixed ones once). */
  readonly parts: readonly TemplatePart[];
}

/** A piece of a compiled text: a fixed string, or the function that renders it for send `seq`. */
export type TemplatePart = string | ((seq: number) => string);

/** How a rendered value is made safe where it lands (the URL percent-encodes, a header drops CR/LF). */
export type Escape = (value: string) => string;

const identity: Escape = (value) => value;

/** A data row's value as text: strings as they are, other JSON values as JSON, nothing as "". */
function fieldText(row: Record<string, unknown> | undefined, field: string): string {
  if (row === undefined) return "";
  let value: unknown = row[field];
  // `${data.user.id}` reads a nested field when the row has no key "user.id".
  if (value === undefined && field.includes(".")) {
    value = field.split(".").reduce<unknown>((at, key) => (at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), row);
  }
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
}

type Part = TemplatePart;

/** One token as a fixed string (folded) or a per-send function. */
function partOf(token: TemplateToken, ctx: TemplateContext, escape: Escape): Part {
  switch (token.kind) {
    case "text":
      return escape(token.text);
    case "node_id":
      return escape(ctx.nodeId);
    case "test_id":
      return escape(ctx.testId);
    case "env":
      return escape(ctx.env[token.name] ?? "");
    case "seq":
      return (seq) => String(seq);
    case "now_ms":
      return () => String(ctx.now());
    case "uuid":
      return () => ctx.uuid();
    case "rand_int": {
      const { min, max } = token;
      return () => String(min + Math.floor(ctx.random() * (max - min + 1)));
    }
    case "data": {
      const rows = ctx.data ?? [];
      const { field } = token;
      return (seq) => escape(fieldText(rows.length > 0 ? rows[seq % rows.length] : undefined, field));
    }
  }
}

/** Compiles `text` once; throws on an unknown template (the protocol refuses those before a plan exists). */
export function compileTemplate(text: string, ctx: TemplateContext, escape: Escape = identity): CompiledTemplate {
  if (!hasTemplates(text)) {
    const constant = escape(text);
    return { constant, render: () => constant, parts: [constant] };
  }
  const { tokens, issues } = parseTemplate(text);
  if (issues.length > 0) throw new Error(`cannot compile template: ${issues.join("; ")}`);
  // Adjacent fixed parts merge, so a text of fixed templates only is one constant string.
  const parts: Part[] = [];
  for (const token of tokens) {
    const part = partOf(token, ctx, escape);
    const last = parts.length - 1;
    if (typeof part === "string" && typeof parts[last] === "string") parts[last] += part;
    else parts.push(part);
  }
  if (parts.every((p) => typeof p === "string")) {
    const constant = parts.join("");
    return { constant, render: () => constant, parts: [constant] };
  }
  return {
    constant: null,
    parts,
    render: (seq) => {
      let out = "";
      for (const part of parts) out += typeof part === "string" ? part : part(seq);
      return out;
    },
  };
}
