import { z } from "zod";

/** Nodes a `GET /nodes` answers by default, and at most (`?limit=`): a flood of ids cannot make it huge. */
export const NODES_PAGE_DEFAULT = 500;
/** Most nodes one `GET /nodes` answers. */
export const NODES_PAGE_MAX = 1_000;

/** `GET /nodes` query: a page of nodes. */
export const NodesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(NODES_PAGE_MAX).default(NODES_PAGE_DEFAULT),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `GET /tests` query: a page of the history, newest first. */
export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});
