import type { RunPlan } from "../src/driver/run-plan.ts";
import type { SendLoopDeps } from "../src/driver/send-loop.ts";

/** Which HTTP path a bench child's driver uses: what `bun run driver` wires, or plain `fetch`. */
export type SenderChoice = "default" | "fetch";

/** The send-loop dependencies for a choice (the clock and sink are the caller's). */
export function senderFor(choice: SenderChoice | undefined, _plan: RunPlan): Pick<SendLoopDeps, "fetch"> {
  return { fetch };
}

/** The createDriver options for a choice. */
export function driverHttpOptions(_choice: SenderChoice | undefined): { fetch: typeof fetch } {
  return { fetch };
}
