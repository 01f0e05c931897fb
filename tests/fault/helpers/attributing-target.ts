/**
 * An in-test HTTP target that counts each request under the process that sent it, so a test
 * can compare each driver's reported counts with what the target really saw from it although
 * every driver gets the same URL. Linux only: the client's source port is looked up in
 * /proc/net/tcp (socket inode) and the inode among the candidate processes' open files, once
 * per connection, while the connection is open.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { Server } from "bun";

/** Inode of the loopback TCP socket whose local port is `port`, from /proc/net/tcp{,6}. */
export function socketInode(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is field 1 ("0100007F:1F90"), inode is field 9.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[9] && fields[9] !== "0") return fields[9];
    }
  }
  return undefined;
}

/** The pid among `pids` with `socket:[inode]` open, if any. */
export function ownerOf(inode: string, pids: readonly number[]): number | undefined {
  const wanted = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === wanted) return pid;
      } catch {
        // The fd closed while we looked.
      }
    }
  }
  return undefined;
}

export interface AttributingTarget {
  url: string;
  /** Requests answered, by sender pid ("unknown" when no candidate owned the connection). */
  counts(): Record<string, number>;
  /** Adds a process whose requests are to be told apart. */
  watch(pid: number): void;
  stop(): void;
}

/** Starts the target on 127.0.0.1, a free port; `/ping` answers 200 `{"message":"pong"}`. */
export function startAttributingTarget(): AttributingTarget {
  const pids: number[] = [];
  const ownerByPort = new Map<number, string>();
  const counts: Record<string, number> = {};
  const server: Server<unknown> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req, srv) {
      const remote = srv.requestIP(req);
      const port = remote?.port ?? 0;
      let owner = ownerByPort.get(port);
      if (owner === undefined) {
        const inode = socketInode(port);
        const pid = inode === undefined ? undefined : ownerOf(inode, pids);
        owner = pid === undefined ? "unknown" : String(pid);
        // Only a found owner is cached: an unknown one is looked up again next time.
        if (pid !== undefined) ownerByPort.set(port, owner);
      }
      counts[owner] = (counts[owner] ?? 0) + 1;
      return Response.json({ message: "pong" });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    counts: () => ({ ...counts }),
    watch: (pid) => void pids.push(pid),
    stop: () => void server.stop(true),
  };
}
