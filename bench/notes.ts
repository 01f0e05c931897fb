/**
 * The part of RESULTS.md that does not change from run to run: how to read the figures and
 * what was changed in the driver for them (issue 6). Figures stay in the generated sections.
 */
export const RESULTS_NOTES = `## How to read these figures

- Everything shares two cores: the target, the tool being measured, the bench itself, and
  whatever else runs on the machine (other test suites were running during this run). A tool
  that uses less CPU per request leaves more CPU to the target, so req/s on this box measures
  the tool and the target together. **CPU µs/req** (user + system time of the tool's process,
  every thread, startup included, divided by its responses) is the steadier figure; req/s and
  latencies move by ±30% between rounds. Each throughput figure is the median of alternated runs.
- "target saw" is the target's own /ping count over the run: it matches every tool's count, so
  no tool is counting requests that never reached the server.
- autocannon reports latency in whole milliseconds; wrk and ours to the microsecond.

## What was changed in the driver, and why

1. **An HTTP/1.1 keep-alive pool instead of fetch for plain-http targets**
   (\`src/driver/http1-pool.ts\`, \`src/driver/http1-parser.ts\`, wired in \`src/driver/main.ts\`;
   https and injected fetches keep using fetch). Bun 1.4's fetch parks at most 64 idle
   keep-alive sockets per process (a fixed 64-slot pool per HTTP context, oven-sh/bun#42608;
   \`BUN_CONFIG_MAX_HTTP_REQUESTS\` limits concurrent requests, not that pool), so with more than
   64 requests in flight every completion closed a socket and the next request opened a new one
   (thousands of sockets in TIME_WAIT; 2-4x less throughput at c=256 than at c=64). Bun Workers do not help:
   they share the process's one HTTP client thread and its pool (4 workers at c=256: 27k req/s,
   the same as one loop). \`BUN_CONFIG_MAX_HTTP_REQUESTS=64\` stops the churn but queues the extra
   requests inside fetch, so "concurrency 256" would silently mean 64 connections. The pool keeps
   exactly one connection per in-flight slot, writes a prebuilt request, parses the response head
   from bytes and skips the body (Content-Length, chunked, or until close), retries once a
   request that found a reused connection closed, and cancels a timed-out request by closing its
   connection. It also spends about half the CPU per request that fetch does.
2. **No promise per request on that path**: a request completes by callback, and in an unpaced
   test the freed slot takes the next request from the socket's own callback instead of a
   deferred pump (each completion sends at most one request, so the event loop is never starved).
3. **Cheaper latency recording** (\`src/stats/latency-recorder.ts\`): latencies are appended to a
   fixed buffer and folded into the window's t-digest as sorted batches of centroids (the bound
   the \`tdigest\` package uses on insert) instead of one red-black-tree insert per request:
   about 6x less CPU for recording, same accuracy (tests check the median within 1%).
4. Not ours, landed meanwhile by the driver's author: one AbortController and timer per 5 ms
   slice of request starts instead of one per request.
`;
