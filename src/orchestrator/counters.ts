/** Why the orchestrator dropped a message after the bus accepted it. */
export type DropReason =
  | "unknown_test"
  | "not_participant"
  | "duplicate_report"
  | "after_end"
  | "handler_error";

/** Dropped-message counts: the bus's decode rejections by topic, then ours by reason. */
export interface DropCounts {
  bus_rejected: Record<string, number>;
  dropped: Record<DropReason, number>;
}

/** A counter per {@link DropReason}; `read()` copies them so callers cannot change the live values. */
export function createDropCounters() {
  const dropped: Record<DropReason, number> = {
    unknown_test: 0,
    not_participant: 0,
    duplicate_report: 0,
    after_end: 0,
    handler_error: 0,
  };
  return {
    add(reason: DropReason): void {
      dropped[reason]++;
    },
    read(busRejected: Record<string, number>): DropCounts {
      return { bus_rejected: { ...busRejected }, dropped: { ...dropped } };
    },
  };
}

export type DropCounters = ReturnType<typeof createDropCounters>;
