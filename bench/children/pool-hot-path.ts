// Bench child (issue 16): the JavaScript cost of one pooled request with no I/O at all. The real
// send loop, TestStats and Http1Pool run a closed loop of `count` requests at `concurrency`
// over fake sockets: a write queues its connection, and each "turn" answers every queued one with
// the static Go target's response (bench/peers/go-target) through the pool's own onData. What
// is left out is Bun's socket work (the data callback, the write call) and the system calls.
//
//   bun bench/children/pool-hot-path.ts [concurrency=256] [count=2000000] [root=this checkout]
//
// Prints {"concurrency", "requests", "ns_per_request", "user_ns_per_request"}; pin it
// (`taskset -c 0`) and alternate two checkouts (the third argument) for an A/B.
import { join } from "node:path";

const concurrency = Number(Bun.argv[2] ?? 256);
const count = Number(Bun.argv[3] ?? 2_000_000);
const root = Bun.argv[4] ?? join(import.meta.dir, "..", "..");
const { Http1Pool } = await import(join(root, "src/driver/http1-pool.ts"));
const { Http1ResponseParser } = await import(join(root, "src/driver/http1-parser.ts"));
const { SendLoop } = await import(join(root, "src/driver/send-loop.ts"));
const { TestStats } = await import(join(root, "src/driver/test-stats.ts"));
const { systemClock } = await import(join(root, "src/clock.ts"));

const response = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 18\r\nContent-Type: application/json\r\nDate: Mon, 30 Nov 2026 07:21:01 GMT\r\n\r\n{"message":"pong"}', "latin1");
type FakeConn = { socket: { write(b: Uint8Array): number; terminate(): void }; [field: string]: unknown };
const written: FakeConn[] = [];
let pool: InstanceType<typeof Http1Pool> | null = null;
const openHttp = (url: string, maxConnections: number) => {
  const opened = new Http1Pool(new URL(url), maxConnections);
  // Connections without sockets: opened on the next microtask, as a connect would be.
  Object.assign(opened, {
    open(this: { opening: number; opened(conn: FakeConn): void }) {
      const conn: FakeConn = { socket: { write: (b) => (written.push(conn), b.byteLength), terminate() {} }, parser: new Http1ResponseParser(64 * 1024), pending: null, served: 0, unsent: null, closed: false, connecting: true, setIndex: -1 };
      this.opening++;
      queueMicrotask(() => this.opened(conn));
    },
  });
  pool = opened;
  return opened;
};
const plan = { testId: "t", url: "http://127.0.0.1:1/ping", mode: "AVALANCHE", count, concurrency, timeoutMs: 10_000, delayMs: 0 };
const stats = new TestStats({ nodeId: "n", testId: "t", paced: false, startedAtMs: Date.now(), epochOffsetMs: 0 });
const loop = new SendLoop(plan, { fetch, clock: systemClock, sink: stats, openHttp }, performance.now());
void loop.start();
await Bun.sleep(10);
let served = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
while (written.length > 0 && served < count - 2 * concurrency) {
  for (const conn of written.splice(0)) {
    pool!.onData(conn as never, response);
    served++;
  }
}
const cpu1 = process.cpuUsage();
const elapsedMs = performance.now() - t0;
console.log(JSON.stringify({ concurrency, requests: served, ns_per_request: Math.round((elapsedMs * 1e6) / served), user_ns_per_request: Math.round(((cpu1.user - cpu0.user) * 1e3) / served) }));
process.exit(0);
