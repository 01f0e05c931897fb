/**
 * A sub-millisecond one-shot timer for the send loop's pacing. Bun 1.4.5's setTimeout takes
 * whole milliseconds (1.5 runs as 1, 0.3 as 1) and fires 1.05-1.1 ms after it was armed, so
 * a loop woken by it every 1 ms slips ~0.1 ms per wake-up and its sends lag their due times
 * by anything from 0 to 1 ms (p50 0.5 ms at 1,000/s). `Atomics.waitAsync` with a fractional
 * timeout is precise but polls (80% of a core for 1,000 waits of 0.9 ms). So one Worker
 * sleeps in the kernel (`Atomics.wait` on a futex, no CPU while it waits) until the deadline
 * and posts a message; the main thread's event loop runs the callback on it. A new deadline
 * wakes the worker through the same futex, so re-arming never waits for the old deadline.
 */

/** Callbacks at monotonic times (performance.now ms), any number pending, for every send loop of the process. */
export interface PreciseTimer {
  /** Runs `fn` once, no earlier than `atMs` (this thread's performance.now). */
  arm(atMs: number, fn: () => void): PreciseTimerHandle;
  /** Drops a pending callback; a no-op once it ran. */
  cancel(handle: PreciseTimerHandle): void;
}

/** A pending callback of a {@link PreciseTimer}. */
export interface PreciseTimerHandle {
  readonly atMs: number;
  readonly fn: () => void;
}

// The worker's source, inlined so a `bun build --compile` executable needs no extra file.
// Shared buffer: Int32 [0] = generation (bumped on every new deadline; wraps, only compared for
// equality), Float64 [1] = deadline in epoch ms (timeOrigin + now: each thread has its own
// timeOrigin), NaN for none. The worker posts the generation it fired for.
const WORKER_SOURCE = `
self.onmessage = (event) => {
  const gen = new Int32Array(event.data, 0, 1);
  const at = new Float64Array(event.data, 8, 1);
  const now = () => performance.timeOrigin + performance.now();
  let fired = 0;
  for (;;) {
    const g = Atomics.load(gen, 0);
    const deadline = at[0];
    if (g !== fired && deadline === deadline) {
      const left = deadline - now();
      if (left > 0) { Atomics.wait(gen, 0, g, left); continue; }
      fired = g;
      postMessage(g);
      continue;
    }
    Atomics.wait(gen, 0, g);
  }
};
`;

/** A precise timer backed by one Worker; null when Workers are unavailable (callers fall back to setTimeout). */
export function createPreciseTimer(): PreciseTimer | null {
  const buffer = new SharedArrayBuffer(16);
  const gen = new Int32Array(buffer, 0, 1);
  const at = new Float64Array(buffer, 8, 1);
  at[0] = NaN;
  // Bun's Worker has ref/unref; the DOM lib's type (tsconfig includes it) does not.
  let worker: Worker & { ref(): void; unref(): void };
  try {
    worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }))) as typeof worker;
  } catch {
    return null;
  }
  // Like a timer, the worker keeps the process alive only while a callback is pending. (Bun
  // 1.4.5: with nothing else ref'd, awaiting an unref'd worker's message busy-polls a core.)
  worker.unref();
  let refd = false;
  worker.postMessage(buffer);
  const origin = performance.timeOrigin;
  const pending = new Set<PreciseTimerHandle>();
  let deadlineMs = Infinity;
  let armedGen = 0;

  const setDeadline = (atMs: number) => {
    const sooner = atMs < deadlineMs;
    deadlineMs = atMs;
    at[0] = atMs === Infinity ? NaN : origin + atMs;
    armedGen = (Atomics.add(gen, 0, 1) + 1) | 0;
    // A later deadline needs no wake-up call (a syscall): the worker wakes at the old one, sees
    // the new generation and sleeps on.
    if (sooner) Atomics.notify(gen, 0);
    if (refd !== (atMs !== Infinity)) {
      refd = !refd;
      if (refd) worker.ref();
      else worker.unref();
    }
  };
  const earliest = () => {
    let min = Infinity;
    for (const h of pending) if (h.atMs < min) min = h.atMs;
    return min;
  };

  worker.onmessage = (event: MessageEvent<number>) => {
    if (event.data !== armedGen) return; // fired for a deadline since replaced
    const now = performance.now();
    const due: PreciseTimerHandle[] = [];
    for (const h of pending) if (h.atMs <= now) due.push(h);
    for (const h of due) pending.delete(h);
    if (due.length > 1) due.sort((x, y) => x.atMs - y.atMs);
    // The worker has fired and sleeps until told: any deadline, even the same one, needs a call.
    // (The threads' clocks can differ by a few µs: a deadline not reached here is re-armed.)
    deadlineMs = Infinity;
    setDeadline(earliest());
    for (const h of due) h.fn();
  };

  return {
    arm(atMs, fn) {
      const handle = { atMs, fn };
      pending.add(handle);
      if (atMs < deadlineMs) setDeadline(atMs);
      return handle;
    },
    cancel(handle) {
      if (!pending.delete(handle)) return;
      if (handle.atMs === deadlineMs) setDeadline(earliest());
    },
  };
}
