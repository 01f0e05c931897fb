import type { RunPlan } from "../run-plan.ts";
import { splitRequestUrl } from "../../protocol/index.ts";
import { CHECK_BODY_BYTES } from "./checks.ts";
import type { PlannedRequest, RequestSource, SendSpec } from "./request-spec.ts";
import { WeightedPicker } from "./swrr.ts";
import { compileTemplate, type CompiledTemplate, type TemplateContext } from "./template.ts";
import { encodeHead, encodeRequest, escapeHeaderText, escapeUrlText } from "./wire.ts";

/**
 * A plan's requests as sends (issue 11): the weighted pick of send `seq` (swrr.ts), its
 * templates expanded (template.ts). A request with nothing varying per send is built once,
 * HTTP/1.1 bytes included (`wire`), and the same SendSpec is handed out for each of its sends.
 */

/** Who is sending and what the templates read; clock, randomness and environment are injectable. */
export interface RequestSourceOptions {
  nodeId: string;
  testId: string;
  /** For `${env:NAME}` (default: the process environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /** For `${now_ms}` (default Date.now). */
  now?: () => number;
  /** For `${rand_int:MIN:MAX}` (default Math.random). */
  random?: () => number;
  /** For `${uuid}` (default crypto.randomUUID). */
  uuid?: () => string;
}

const utf8 = new TextEncoder();

/** One request compiled: either one prebuilt spec, or the parts to render per send. */
type Compiled =
  | { spec: SendSpec }
  | { index: number; request: PlannedRequest; origin: string; path: CompiledTemplate; headers: [string, CompiledTemplate][]; body: CompiledTemplate | null; captureBodyBytes: number }
  | BodyOnly;

/**
 * A request templated in its body only (URL and headers constant): its head is encoded once,
 * and each send renders the body straight into one buffer after it (`wire`), `body` a view of
 * that buffer: one allocation a send, no second copy in the pool.
 */
interface BodyOnly {
  bodyOnly: true;
  index: number;
  method: PlannedRequest["method"];
  url: string;
  headers: [string, string][];
  /** The head up to its own headers, without Content-Length and the blank line. */
  head: Buffer;
  /** The body's fixed parts encoded once (UTF-8) and its per-send parts, in order. */
  body: (Buffer | ((seq: number) => string))[];
  /** Bytes of the fixed parts. */
  fixedBytes: number;
  captureBodyBytes: number;
  /** Buffers of ended sends, ready for reuse (at most {@link MAX_FREE_BUFFERS}). */
  free: Buffer[];
}

/** Buffers a body-templated request keeps for reuse: about one per connection of a busy pool. */
const MAX_FREE_BUFFERS = 1024;

/** Spare room a reused buffer is made with, so values that grow by a digit still fit. */
const BUFFER_SLACK = 64;

/** A rendered spec with the buffer its `wire` is a view of, and where to return it. */
interface OwnedSpec extends SendSpec {
  owner?: { buffer: Buffer; free: Buffer[] } | null;
}

function compile(request: PlannedRequest, index: number, ctx: TemplateContext): Compiled {
  const split = splitRequestUrl(request.url);
  if ("error" in split || split.origin === null) throw new Error(`request ${request.name}: ${request.url} is not an absolute http(s) URL`);
  const path = compileTemplate(split.path, ctx, escapeUrlText);
  const headers = request.headers.map(([name, value]): [string, CompiledTemplate] => [name, compileTemplate(value, ctx, escapeHeaderText)]);
  const body = request.body === null ? null : compileTemplate(request.body, ctx);
  const captureBodyBytes = request.checks?.bodyIncludes !== undefined ? CHECK_BODY_BYTES : 0;
  const constant = path.constant !== null && headers.every(([, v]) => v.constant !== null) && (body === null || body.constant !== null);
  const fixed = path.constant !== null && headers.every(([, v]) => v.constant !== null);
  if (!constant && !(fixed && body !== null)) return { index, request, origin: split.origin, path, headers, body, captureBodyBytes };
  const url = split.origin + path.constant!;
  const fixedHeaders = headers.map(([name, value]): [string, string] => [name, value.constant!]);
  if (!constant) {
    const parts = body!.parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : part));
    const fixedBytes = parts.reduce((sum, part) => sum + (typeof part === "function" ? 0 : part.byteLength), 0);
    return { bodyOnly: true, index, method: request.method, url, headers: fixedHeaders, head: Buffer.from(encodeHead(request.method, url, fixedHeaders), "utf8"), body: parts, fixedBytes, captureBodyBytes, free: [] };
  }
  const bytes = body === null ? null : utf8.encode(body.constant!);
  const spec: SendSpec = { request: index, method: request.method, url, headers: fixedHeaders, body: bytes, captureBodyBytes, wire: encodeRequest(request.method, url, fixedHeaders, bytes) };
  return { spec };
}

/** Renders send `seq` of a request templated in its body only: head, framing and body in one buffer. */
function renderBody(c: BodyOnly, seq: number): SendSpec {
  // Only the per-send values are encoded per send; the fixed parts are copied as bytes.
  const values: string[] = [];
  let length = c.fixedBytes;
  for (const part of c.body) {
    if (typeof part !== "function") continue;
    const value = part(seq);
    values.push(value);
    length += Buffer.byteLength(value, "utf8");
  }
  const framing = `Content-Length: ${length}\r\n\r\n`;
  const total = c.head.byteLength + framing.length + length;
  let buffer = c.free.pop();
  if (buffer === undefined || buffer.byteLength < total) buffer = Buffer.allocUnsafe(total + BUFFER_SLACK);
  const wire = buffer.subarray(0, total);
  wire.set(c.head, 0);
  wire.write(framing, c.head.byteLength, "latin1");
  const at = c.head.byteLength + framing.length;
  let offset = at;
  let v = 0;
  for (const part of c.body) {
    if (typeof part === "function") offset += wire.write(values[v++]!, offset, "utf8");
    else {
      wire.set(part, offset);
      offset += part.byteLength;
    }
  }
  const spec: OwnedSpec = { request: c.index, method: c.method, url: c.url, headers: c.headers, body: wire.subarray(at), captureBodyBytes: c.captureBodyBytes, wire, owner: { buffer, free: c.free } };
  return spec;
}

/** Renders send `seq` of a templated request. */
function render(c: Exclude<Compiled, { spec: SendSpec } | BodyOnly>, seq: number): SendSpec {
  return {
    request: c.index,
    method: c.request.method,
    url: c.origin + c.path.render(seq),
    headers: c.headers.map(([name, value]) => [name, value.render(seq)]),
    body: c.body === null ? null : utf8.encode(c.body.render(seq)),
    captureBodyBytes: c.captureBodyBytes,
  };
}

/**
 * The {@link RequestSource} of a plan with `requests`: `next(seq)` for the test's 0-based send
 * index (a worker passes `seqOffset + i × seqStride`), so every worker picks and renders what one
 * loop would. Throws when the plan has no requests (such a plan sends its prebuilt GET instead).
 */
export function createRequestSource(plan: RunPlan, options: RequestSourceOptions): RequestSource {
  const requests = plan.requests;
  if (requests === undefined || requests.length === 0) throw new Error("createRequestSource: the plan has no requests");
  const ctx: TemplateContext = {
    nodeId: options.nodeId,
    testId: options.testId,
    env: options.env ?? process.env,
    data: plan.data,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    uuid: options.uuid ?? (() => crypto.randomUUID()),
  };
  const compiled = requests.map((request, i) => compile(request, i, ctx));
  const picker = new WeightedPicker(requests.map((r) => r.weight));
  return {
    requests,
    next(seq: number): SendSpec {
      const c = compiled[picker.pick(seq)]!;
      return "spec" in c ? c.spec : "bodyOnly" in c ? renderBody(c, seq) : render(c, seq);
    },
    release(spec: SendSpec): void {
      const owned = spec as OwnedSpec;
      const owner = owned.owner;
      if (!owner) return;
      owned.owner = null;
      if (owner.free.length < MAX_FREE_BUFFERS) owner.free.push(owner.buffer);
    },
  };
}
