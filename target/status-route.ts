// `/status/:code`: answers the status the path names, to aim checks and error counts at.
import type { BunRequest } from "bun";
import { counted, type RouteDeps } from "./items.ts";
import { errorResponse, jsonResponse } from "./responses.ts";

/** Address label of `/status/:code` (one label; the status label tells the codes apart). */
export const STATUS_ADDR = "/status/:code";

/**
 * The status `/status/:code` answers, or the reason it cannot: 200..599. Informational
 * 1xx codes are refused: they are not a final answer in HTTP/1.1 (a client would wait for
 * one), and Bun 1.4.5's Response takes none but 101.
 */
export function parseStatusCode(text: string): number | string {
  const code = Number(text);
  if (!/^[1-5]\d\d$/.test(text)) return `expected an HTTP status from 200 to 599, got "${text}"`;
  if (code < 200) return `${code} is informational (1xx), not a final answer; use 200 to 599`;
  return code;
}

/** `/status/:code`, any method: that status with `{"status": code}` (no body where HTTP has none); a bad code 400. */
export function createStatusHandler(deps: RouteDeps) {
  return (req: BunRequest<"/status/:code">): Promise<Response> =>
    counted(deps, STATUS_ADDR, req, () => {
      const code = parseStatusCode(req.params.code);
      return typeof code === "string" ? errorResponse(400, `status: ${code}`) : jsonResponse(JSON.stringify({ status: code }), code);
    });
}
