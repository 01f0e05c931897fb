/**
 * An in-test HTTP target that logs when each request arrived (this process's clock, sub-ms) and
 * on which connection, and tells which watched process sent it: the client's source port is
 * looked up in /proc (see attributing-target.ts) in one batch 30 ms after a new connection's
 * first request, never on a request's own path, so the lookup cannot delay the stamps of the
 * first requests that arrive together. That first request is answered only after the lookup,
 * so its connection is still open when it is looked up (with no process watched there is nothing
 * to look up and nothing waits). Linux only. Optionally it answers with a fixed status after a
 * fixed delay (a request the client abandons before the answer is still logged: arrival is what
 * counts); `latenessMs` compares arrivals with a TSUNAMI schedule. One helper for the clock-skew
 * e2e test and the send path's due-time checks (tests/fault/target-faults.test.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Server } from "bun";
import { ownerOf, socketInode } from "../fault/helpers/attributing-target.ts";

/** One request as the target saw it. */
export interface Arrival {
  /** Epoch ms (fractional) when the handler ran. */
  at: number;
  /** The client's source port: one per connection. */
  port: number;
}

/** How the target answers. */
export interface ArrivalTargetOptions {
  /** HTTP status of every answer (default 200). */
  status?: number;
  /** Ms before the answer (the request is held meanwhile). */
  delayMs?: number;
}

/** A started arrival-logging target; `stop()` closes it. */
export interface ArrivalTarget {
  url: string;
  /** Every request so far, in arrival order. */
  arrivals(): Arrival[];
  /** Watches a process (and its children: a command run under `faketime` is one) as `name`. */
  watch(name: string, pid: number): void;
  /** The watched name a connection's port belongs to, once looked up. */
  ownerOfPort(port: number): string | undefined;
  /** Each sender's first arrival (epoch ms); "unknown" collects what no watched process owned. */
  firstArrivals(): Record<string, number>;
  /** Requests per sender. */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

/** Child pids of `pid`, recursively, from /proc/<pid>/task/<tid>/children. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let text = "";
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
    } catch {
      continue;
    }
    for (const child of text.split(/\s+/).filter((x) => x !== "").map(Number)) out.push(child, ...descendants(child));
  }
  return out;
}

/** Starts the target on 127.0.0.1, a free port; every path answers "pong" (200 unless `status`). */
export function startArrivalTarget({ status = 200, delayMs = 0 }: ArrivalTargetOptions = {}): ArrivalTarget {
  const log: Arrival[] = [];
  const watched = new Map<number, string>();
  const owners = new Map<number, string>();
  const pending = new Set<number>();
  let lookup: ReturnType<typeof setTimeout> | null = null;
  let looked: (() => void)[] = [];

  const resolvePending = () => {
    lookup = null;
    const pids = new Map<number, string>();
    for (const [pid, name] of watched) for (const p of [pid, ...descendants(pid)]) pids.set(p, name);
    for (const port of pending) {
      const inode = socketInode(port);
      const pid = inode === undefined ? undefined : ownerOf(inode, [...pids.keys()]);
      if (pid !== undefined) owners.set(port, pids.get(pid)!);
    }
    pending.clear();
    for (const answer of looked.splice(0)) answer();
  };

  const server: Server<unknown> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req, srv) {
      const at = performance.timeOrigin + performance.now();
      const port = srv.requestIP(req)?.port ?? 0;
      log.push({ at, port });
      if (!owners.has(port) && port !== 0 && watched.size > 0) {
        pending.add(port);
        lookup ??= setTimeout(resolvePending, 30);
        await new Promise<void>((resolve) => looked.push(resolve));
      }
      if (delayMs > 0) await Bun.sleep(delayMs);
      return new Response("pong", { status });
    },
  });

  const byOwner = () => {
    const first: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (const { at, port } of log) {
      const name = owners.get(port) ?? "unknown";
      counts[name] = (counts[name] ?? 0) + 1;
      if (first[name] === undefined) first[name] = at;
    }
    return { first, counts };
  };

  return {
    url: `http://127.0.0.1:${server.port}`,
    arrivals: () => [...log],
    watch: (name, pid) => void watched.set(pid, name),
    ownerOfPort: (port) => owners.get(port),
    firstArrivals: () => byOwner().first,
    counts: () => byOwner().counts,
    stop: () => {
      if (lookup !== null) clearTimeout(lookup);
      for (const answer of looked.splice(0)) answer();
      return server.stop(true);
    },
  };
}

/**
 * How late each arrival was against the TSUNAMI due times `startAt + i × delayMs` (both sorted,
 * so request i is matched with due time i): negative means early.
 */
export function latenessMs(arrivals: readonly number[], startAt: number, delayMs: number): number[] {
  return [...arrivals].sort((a, b) => a - b).map((at, i) => at - (startAt + i * delayMs));
}
