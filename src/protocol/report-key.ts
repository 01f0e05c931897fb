import type { MetricsReport } from "./messages.ts";

/**
 * The identity of a report for deduplication: its `report_id` within its driver process.
 * Two processes started with one node_id both number their reports `node:test:seq`; keyed
 * by instance, neither is taken for a replay of the other. A report without `instance_id`
 * (a driver that predates it) is keyed by its `report_id` alone, as before.
 */
export function reportKey(report: Pick<MetricsReport, "report_id" | "instance_id">): string {
  return report.instance_id === undefined ? report.report_id : `${report.instance_id}/${report.report_id}`;
}
