/**
 * Servers that close kept-alive connections without saying so: after every response, after N
 * requests (a keep-alive max), or HTTP/1.0 ones. A request the pool wrote to a connection the
 * server had already closed never reached the server; it must go out again on a new
 * connection and never be counted as an error. Each server counts the requests it answered,
 * and the loop's counts must equal that count exactly. Real sockets on 127.0.0.1, one process.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { systemClock } from "../../src/driver/clock.ts";
import { openHttp1Pool } from "../../src/driver/http1-pool.ts";
import { planTest } from "../../src/driver/run-plan.ts";
import { SendLoop } from "../../src/driver/send-loop.ts";
import { TestStats } from "../../src/driver/test-stats.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; 6,000 loopback requests take well under a second alone.
setDefaultTimeout(120_000);

const COUNT = 6_000;
const CONCURRENCY = 64;

interface RawTarget {
  port: number;
  /** Requests answered (what the target would count). */
  answered: () => number;
  connections: () => number;
  stop: () => Promise<void>;
}

/**
 * A node:net HTTP server that answers each request head with `status` and closes the
 * connection after `perConnection` answers (never announcing it), ignoring anything the
 * client wrote after that: a request that reaches a closing connection is not answered and not counted.
 */
async function rawTarget(statusLine: string, perConnection: number): Promise<RawTarget> {
  let answered = 0;
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    let buffered = "";
    let served = 0;
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      let end: number;
      while (served < perConnection && (end = buffered.indexOf("\r\n\r\n")) !== -1) {
        buffered = buffered.slice(end + 4);
        served++;
        answered++;
        socket.write(`${statusLine}\r\nContent-Length: 2\r\n\r\nok`);
        if (served === perConnection) socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    answered: () => answered,
    connections: () => connections,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let target: RawTarget | null = null;
afterEach(async () => {
  await target?.stop();
  target = null;
});

/** Runs COUNT requests at CONCURRENCY through the pool against `port`; returns the loop's counts. */
async function runAgainst(port: number) {
  const planned = planTest({
    test_id: "stale",
    test_type: "AVALANCHE",
    test_message_delay: 0,
    message_count_per_driver: COUNT,
    target_url: `http://127.0.0.1:${port}/ping`,
    concurrency: CONCURRENCY,
    timeout_ms: 10_000,
  });
  if (!planned.ok) throw new Error(planned.error);
  const stats = new TestStats({ nodeId: "n", testId: "stale", paced: false, startedAtMs: Date.now(), epochOffsetMs: 0 });
  const loop = new SendLoop(planned.plan, { fetch, clock: systemClock, sink: stats, openHttp: openHttp1Pool }, systemClock.mono());
  const result = await loop.start();
  const { sent, completed, status_2xx, timeout, connection_error } = stats.counts;
  return { result, counts: { sent, completed, status_2xx, timeout, connection_error }, firstError: loop.firstError };
}

const exact = { result: { sent: COUNT, stopped: false }, counts: { sent: COUNT, completed: COUNT, status_2xx: COUNT, timeout: 0, connection_error: 0 }, firstError: undefined };

describe("the pool against servers that close kept-alive connections unannounced", () => {
  test("a server that closes after every response without Connection: close: 0 errors at concurrency 64, and the server's count matches", async () => {
    target = await rawTarget("HTTP/1.1 200 OK", 1);
    const run = await runAgainst(target.port);
    expect({ ...run, answered: target.answered() }).toEqual({ ...exact, answered: COUNT });
  });

  test("a server with a keep-alive max of 5 requests per connection: 0 errors, exact", async () => {
    target = await rawTarget("HTTP/1.1 200 OK", 5);
    const run = await runAgainst(target.port);
    expect({ ...run, answered: target.answered(), reused: target.connections() < COUNT }).toEqual({ ...exact, answered: COUNT, reused: true });
  });

  test("an HTTP/1.0 server that says keep-alive and closes after each response anyway: 0 errors, exact", async () => {
    target = await rawTarget("HTTP/1.0 200 OK\r\nConnection: keep-alive", 1);
    const run = await runAgainst(target.port);
    expect({ ...run, answered: target.answered() }).toEqual({ ...exact, answered: COUNT });
  });
});
