/**
 * The connection pool (http:// targets) and fetch (https://, and the fallback) must count a
 * target's answer alike: for each status line, a raw socket server answers it and both paths
 * must agree on the status, or both fail. Loopback only, one request per line and path.
 */
import { afterAll, expect, test } from "bun:test";
import { openHttp1Pool } from "../../src/driver/http1-pool.ts";

const STATUS_LINES = [
  "HTTP/1.1 200 OK", "HTTP/1.1 204 No Content", "HTTP/1.0 503 Busy", "HTTP/1.1  201 Created", "HTTP/1.1 202", "HTTP/1.1 203 ", "HTTP/1.2 200 OK",
  "HTTP/1.1 2000 OK", "HTTP/1.1 200OK", "HTTP/1.1_200 OK", "HTTP/1.1 200\tOK", "http/1.1 200 OK", "HTTP/1.x 200 OK", "HTTP/2 200 OK",
];

let line = "";
const server = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(socket) {
      socket.write(`${line}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`);
      socket.end();
    },
  },
});
afterAll(() => server.stop(true));
const url = `http://127.0.0.1:${server.port}/`;

/** The status the path saw, or "error". */
async function viaFetch(): Promise<number | "error"> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: "manual" });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return "error";
  }
}

async function viaPool(): Promise<number | "error"> {
  const pool = openHttp1Pool(url, 1)!;
  try {
    return await pool.request(AbortSignal.timeout(5_000));
  } catch {
    return "error";
  } finally {
    pool.close();
  }
}

test("the connection pool and fetch read every status line alike: the same status, or both a failure", async () => {
  const seen: Record<string, { fetch: number | "error"; pool: number | "error" }> = {};
  for (const l of STATUS_LINES) {
    line = l;
    seen[l] = { fetch: await viaFetch(), pool: await viaPool() };
  }
  const disagreements = Object.entries(seen).filter(([, s]) => s.fetch !== s.pool);
  expect(disagreements).toEqual([]);
  // Both paths did read the valid ones (the comparison alone would pass if both always failed).
  expect(seen["HTTP/1.1 200 OK"]).toEqual({ fetch: 200, pool: 200 });
  expect(seen["HTTP/1.1 2000 OK"]).toEqual({ fetch: "error", pool: "error" });
});
