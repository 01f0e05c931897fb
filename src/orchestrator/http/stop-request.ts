import { z } from "zod";
import { DEFAULT_STOP_GRACE_MS, MAX_STOP_GRACE_MS, formatIssues, toIssues } from "../../protocol/index.ts";
import { ApiError } from "./errors.ts";

/** The optional body of `POST /tests/:id/stop`: how long in-flight requests get, and why. */
export const StopRequestSchema = z
  .object({
    stop_grace_ms: z.number().int().min(0).max(MAX_STOP_GRACE_MS).default(DEFAULT_STOP_GRACE_MS),
    reason: z.string().trim().min(1).max(1024).optional(),
  })
  .strict();
/** A parsed stop request, defaults filled in. */
export type StopRequest = z.infer<typeof StopRequestSchema>;

/**
 * Parses a stop request body: empty means every default; malformed JSON is a 400, a bad or
 * unknown field a 422 naming every one of them.
 */
export function parseStopRequest(text: string): StopRequest {
  let value: unknown = {};
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ApiError(400, "the request body is not valid JSON", [{ path: "(root)", message: (err as Error).message }]);
    }
  }
  const parsed = StopRequestSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = toIssues(parsed.error);
  throw new ApiError(422, `invalid stop request: ${formatIssues(issues)}`, issues);
}
