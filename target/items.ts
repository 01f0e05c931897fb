// `POST /items` and `/items/:id`: a small JSON API to aim scenarios at (bodies, ids, methods).
import type { BunRequest } from "bun";
import { bodySize } from "./body-size.ts";
import type { TargetMetrics } from "./metrics.ts";
import { errorResponse, jsonResponse } from "./responses.ts";

/** Address label of `POST /items`. */
export const ITEMS_ADDR = "/items";

/** Address label of `/items/:id` (one label for every id, so the series set stays bounded). */
export const ITEM_ADDR = "/items/:id";

/** What the items handlers need. */
export type RouteDeps = { metrics: TargetMetrics; now_ms: () => number };

/** Methods `/items/:id` answers. */
const ITEM_METHODS = "GET, HEAD, PUT, PATCH, DELETE";

/**
 * Runs `answer` as one counted request of `addr`: received now, responded (with the answer's
 * status) when it is produced. A body that cannot be read is a 400, counted too.
 */
export async function counted(deps: RouteDeps, addr: string, req: Request, answer: () => Response | Promise<Response>): Promise<Response> {
  const started_ms = deps.now_ms();
  deps.metrics.received(addr);
  let response: Response;
  try {
    response = await answer();
  } catch (error) {
    response = errorResponse(400, `body: ${(error as Error).message}`);
  }
  deps.metrics.responded(addr, req.method, response.status, deps.now_ms() - started_ms);
  return response;
}

/** `POST /items`: reads the body, answers 201 `{"bytes": N}`; other methods 405. */
export function createItemsHandler(deps: RouteDeps) {
  return (req: Request): Promise<Response> =>
    counted(deps, ITEMS_ADDR, req, async () => {
      if (req.method !== "POST") return errorResponse(405, "use POST", { allow: "POST" });
      return jsonResponse(JSON.stringify({ bytes: await bodySize(req) }), 201);
    });
}

/**
 * `/items/:id`: GET/HEAD 200 `{"id"}`, PUT/PATCH read the body and answer 200 `{"id", "bytes"}`,
 * DELETE 204; other methods 405.
 */
export function createItemHandler(deps: RouteDeps) {
  return (req: BunRequest<"/items/:id">): Promise<Response> =>
    counted(deps, ITEM_ADDR, req, async () => {
      const id = req.params.id;
      switch (req.method) {
        case "GET":
        case "HEAD":
          return jsonResponse(JSON.stringify({ id }), 200);
        case "PUT":
        case "PATCH":
          return jsonResponse(JSON.stringify({ id, bytes: await bodySize(req) }), 200);
        case "DELETE":
          return jsonResponse("", 204);
        default:
          return errorResponse(405, `use ${ITEM_METHODS}`, { allow: ITEM_METHODS });
      }
    });
}
