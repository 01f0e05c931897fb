import type { PinnedTarget } from "./pinned-target.ts";
import type { TargetProcess } from "./target-process.ts";

/** Every section the bench knows, in run order. */
export const SECTION_IDS = ["throughput", "profile", "concurrency", "rate", "tsunami", "memory", "orchestrator", "skew", "clock-skew", "size", "workers", "fleet", "soak", "scenario"] as const;
export type SectionId = (typeof SECTION_IDS)[number];

/** One figure against its target: met, missed, or not measured (null), and why. */
export interface Verdict {
  target: string;
  figure: string;
  /** true met, false missed, null not measured, "info" a figure with no target. */
  met: boolean | null | "info";
  why: string;
}

/** What a section hands back: Markdown for RESULTS.md and the console, and its verdicts. */
export interface SectionReport {
  id: SectionId;
  title: string;
  markdown: string;
  verdicts: Verdict[];
}

/** What every section gets. */
export interface BenchContext {
  target: TargetProcess;
  quick: boolean;
  /** Repeats of each throughput measurement (tools alternated). */
  repeats: number;
  /** Seconds of each throughput measurement. */
  duration_s: number;
  /** Driver counts of the fleet section (`--fleet`). */
  fleetSizes?: number[];
  /** The pinned Go target for the throughput and concurrency sections (null: not run, see `pinnedSkip`). */
  pinned?: PinnedTarget | null;
  /** Why there is no pinned target, when there is none. */
  pinnedSkip?: string;
  /** Throughput and concurrency: only the pinned tables (`--pinned-only`). */
  pinnedOnly?: boolean;
  /** Pinned tables: only these tools (`--peers`, ids of PINNED_PEER_IDS); absent, all. */
  peers?: readonly string[] | null;
  /** Pinned tables: also run the drivers of these checkouts (`--baseline`). */
  baselines?: readonly string[];
  /** Progress lines (stderr), so stdout stays the report. */
  progress(line: string): void;
}

/** A bench section. */
export interface Section {
  id: SectionId;
  title: string;
  run(ctx: BenchContext): Promise<SectionReport>;
}

/** A verdict line for RESULTS.md: `met`, `MISSED` or `not measured`. */
export function verdictLine(v: Verdict): string {
  const word = v.met === "info" ? "info" : v.met === null ? "not measured" : v.met ? "met" : "MISSED";
  return `- **${word}**: ${v.target}: ${v.figure}. ${v.why}`.trimEnd();
}
