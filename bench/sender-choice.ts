import { openHttp1Pool, type OpenHttpPool } from "../src/driver/http1-pool.ts";
import type { RunPlan } from "../src/driver/run-plan.ts";
import type { SendLoopDeps } from "../src/driver/send-loop.ts";

/** Which HTTP path a bench child's driver uses: what `bun run driver` wires, or plain `fetch` only. */
export type SenderChoice = "default" | "fetch";

/** The createDriver / SendLoop HTTP options for a choice: src/driver/main.ts wires fetch and openHttp1Pool. */
export function driverHttpOptions(choice: SenderChoice | undefined): { fetch: typeof fetch; openHttp?: OpenHttpPool } {
  return choice === "fetch" ? { fetch } : { fetch, openHttp: openHttp1Pool };
}

/** The send-loop dependencies for a choice (the clock and sink are the caller's). */
export function senderFor(choice: SenderChoice | undefined, _plan: RunPlan): Pick<SendLoopDeps, "fetch" | "openHttp"> {
  return driverHttpOptions(choice);
}
