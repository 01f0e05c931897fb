import { afterAll, describe, expect, test } from "bun:test";
import type { Output } from "../../src/cli/follow.ts";
import { main } from "../../src/cli/main.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";

// Every connection has its own client port for its whole life, so distinct ports bound the
// connections from below; with a pool per driver they are at most drivers × concurrency.
const clientPorts = new Set<number>();
let received = 0;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req, srv) {
    received++;
    clientPorts.add(srv.requestIP(req)!.port);
    return new Response('{"message":"pong"}');
  },
});
afterAll(() => server.stop(true));

describe("loadtest run through the HTTP/1.1 pool", () => {
  test("2 drivers × 64 in flight send every request on at most 128 kept-alive connections", async () => {
    let stdout = "";
    const out: Output = { stdout: (t) => void (stdout += t), stderr: () => {}, tty: false };
    const argv = ["run", `http://127.0.0.1:${server.port}/ping`, "--drivers", "2", "--type", "avalanche", "--count", "4000", "--concurrency", "64", "--json"];
    const code = await main(argv, { env: {}, out });
    const { counts } = (JSON.parse(stdout) as { test: TestView }).test.metrics;
    expect({ code, sent: counts.sent, ok: counts.status_2xx, errors: counts.connection_error + counts.timeout, received, atMost128: clientPorts.size <= 128 }).toEqual({
      code: 0,
      sent: 8_000,
      ok: 8_000,
      errors: 0,
      received: 8_000,
      atMost128: true,
    });
  });
});
