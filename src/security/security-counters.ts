/** What the orchestrator counts of the fleet's trust: commands drivers refused, reports it dropped as forged. */
export interface SecurityCounts {
  /** COMMAND_REJECTED events from drivers, by reason (unsigned, bad_signature, replay, ...). */
  commands_rejected: Record<string, number>;
  /** Reports dropped for a missing or wrong report_mac, by reason (unsigned, bad_mac). */
  reports_forged: Record<string, number>;
}

/** Counters behind {@link SecurityCounts}; `read()` returns copies. */
export class SecurityCounters {
  private readonly commands: Record<string, number> = {};
  private readonly reports: Record<string, number> = {};

  commandRejected(reason: string): void {
    this.commands[reason] = (this.commands[reason] ?? 0) + 1;
  }

  reportForged(reason: string): void {
    this.reports[reason] = (this.reports[reason] ?? 0) + 1;
  }

  read(): SecurityCounts {
    return { commands_rejected: { ...this.commands }, reports_forged: { ...this.reports } };
  }
}
