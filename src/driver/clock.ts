/** The driver's clock is the one {@link Clock} of src/clock.ts (shared with the orchestrator). */
export { systemClock, type Clock, type TimerHandle } from "../clock.ts";
