import type { Context } from "hono";
import { wireId } from "../../protocol/fields.ts";
import { ApiError } from "./errors.ts";

const IdSchema = wireId();

/** The `:id` path parameter as a `what` id ("test", "node"); anything that cannot be an id is simply unknown (404). */
export function idParam(c: Context, what: string): string {
  const id = c.req.param("id") ?? "";
  if (!IdSchema.safeParse(id).success) throw new ApiError(404, `no ${what} ${JSON.stringify(id.slice(0, 128))}`);
  return id;
}

/** The `:id` of a `/tests/:id…` route: a test id, or 404. */
export const testIdParam = (c: Context): string => idParam(c, "test");

/** The `:id` of a `/nodes/:id` route: a node id, or 404. */
export const nodeIdParam = (c: Context): string => idParam(c, "node");
