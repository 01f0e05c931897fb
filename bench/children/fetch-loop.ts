// Bench child: the reference line. `connections` async loops, each `await fetch(url)` and
// read the body, for `duration_s`; prints one JSON LoadResult line. No limiter, no stats
// beyond an array of latencies: the least a Bun load generator can do per request.
import { Samples } from "../summary.ts";

const [url, connectionsText, durationText] = Bun.argv.slice(2);
const connections = Number(connectionsText);
const durationMs = Number(durationText) * 1000;
if (url === undefined || !(connections > 0) || !(durationMs > 0)) {
  console.error("usage: fetch-loop.ts <url> <connections> <duration_s>");
  process.exit(2);
}

const latencies = new Samples();
let errors = 0;
let non2xx = 0;
const startMs = performance.now();
const endMs = startMs + durationMs;

async function loop(): Promise<void> {
  while (performance.now() < endMs) {
    const sentMs = performance.now();
    try {
      const res = await fetch(url!);
      await res.arrayBuffer();
      if (res.status < 200 || res.status > 299) non2xx++;
      latencies.push(performance.now() - sentMs);
    } catch {
      errors++;
    }
  }
}

await Promise.all(Array.from({ length: connections }, loop));
const duration_s = (performance.now() - startMs) / 1000;
const [p50, p99] = latencies.quantiles([0.5, 0.99]);
console.log(
  JSON.stringify({ tool: "bare fetch", requests: latencies.length, duration_s, rps: latencies.length / duration_s, p50_ms: p50, p99_ms: p99, errors, non_2xx: non2xx }),
);
