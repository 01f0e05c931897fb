/**
 * The entry point of one send worker (`--workers N`): serves its shares (worker-share.ts) with
 * the driver's scenario hooks. Tests may spawn another entry with stub hooks.
 */
import { scenarioHooks } from "./scenario-hooks.ts";
import { serveShares } from "./worker-share.ts";

serveShares(scenarioHooks);
