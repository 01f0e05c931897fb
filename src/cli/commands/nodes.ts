import { formatAgo, formatCount } from "../../format/format.ts";
import { formatClock } from "../../dashboard/client/clock-format.ts";
import type { Command } from "../command.ts";
import { usageError } from "../command.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, clientFrom } from "../options.ts";
import { textTable } from "../summary.ts";

/** `loadtest nodes`: the drivers the orchestrator knows and their health. */
export const nodesCommand: Command = {
  name: "nodes",
  summary: "list the drivers and their health",
  usage: `Usage: loadtest nodes [--json] [--orchestrator URL]

Lists every driver the orchestrator knows: status (alive, suspect, dead, left), address,
last heartbeat, what it is doing, and its clock offset to the orchestrator (orchestrator
minus driver, ± its uncertainty; "!" and a line below when it is flagged).

Flags:
${CONNECTION_HELP}
  --json                 print GET /nodes as JSON`,
  flags: { ...CONNECTION_FLAGS, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  async run(values, positionals, ctx) {
    if (positionals.length > 0) return usageError(ctx, "nodes", [`unexpected argument "${positionals[0]}"`]);
    const { nodes, total } = await clientFrom(values, ctx.env, ctx.fetch).nodes();
    if (values.json) {
      ctx.out.stdout(JSON.stringify({ nodes }, null, 2) + "\n");
      return 0;
    }
    if (nodes.length === 0) {
      ctx.out.stdout("no drivers yet: start one with \"bun run driver\" (it registers over Kafka)\n");
      return 0;
    }
    const now = Date.now();
    const rows = nodes.map((n) => [
      n.node_id,
      n.conflict ? `${n.status}, CONFLICT: ${n.conflict.instances.length} processes` : n.status,
      n.node_IP,
      formatAgo(n.last_heartbeat_at, now),
      n.driver_state ?? "–",
      n.current_test_id ?? "–",
      formatCount(n.requests_sent),
      `${formatClock(n.clock)}${n.clock?.flag ? " !" : ""}`,
    ]);
    ctx.out.stdout(textTable([["node", "status", "address", "last heartbeat", "state", "test", "sent (last test)", "clock offset"], ...rows]).join("\n") + "\n");
    for (const n of nodes) if (n.clock?.flag && n.status !== "left" && n.status !== "dead") ctx.out.stdout(`! ${n.node_id}: ${n.clock.flag}\n`);
    const alive = nodes.filter((n) => n.status === "alive").length;
    ctx.out.stdout(`${alive} alive of ${nodes.length}\n`);
    if (total !== undefined && total > nodes.length) ctx.out.stdout(`(${total - nodes.length} more not shown: live drivers come first)\n`);
    return 0;
  },
};
