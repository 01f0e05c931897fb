/** Most bytes of events queued for one SSE client before it counts as behind (1 MiB). */
export const SSE_BUFFER_BYTES = 1024 * 1024;

/** A client that stays behind this long (its resync not yet taken) is disconnected. */
export const SSE_STALL_DISCONNECT_MS = 30_000;

/** Bounds of one stream's queue; defaults SSE_BUFFER_BYTES and SSE_STALL_DISCONNECT_MS. */
export interface SseBufferOptions {
  maxBytes?: number;
  stallDisconnectMs?: number;
}

/** What `offer` did with an event: queued it, skipped it (a resync will cover it), or overflowed. */
export type OfferResult = "queued" | "skipped" | "overflow";

/** The next thing to write: an event's text, or a resync (the stream's current state, built when it is written). */
export type SseChunk = { kind: "text"; text: string } | { kind: "resync"; dropped: number };

/**
 * The bounded queue of one SSE stream; pure: time comes in as `now`. A client that reads
 * slower than events come fills it; once the next event would pass `maxBytes`, the queue is
 * emptied and replaced by one resync (the current state, built only when the client can take
 * it), and later events are skipped until then, since the resync covers them. A client that
 * has not taken its resync after `stallDisconnectMs` is to be disconnected. Memory per client
 * is thus at most `maxBytes` plus the one write in flight, whatever the client does.
 */
export class SseBuffer {
  private queue: string[] = [];
  private bytes = 0;
  private resyncPending = false;
  private dropped = 0;
  private behindSince: number | null = null;
  private readonly maxBytes: number;
  private readonly stallDisconnectMs: number;

  constructor({ maxBytes = SSE_BUFFER_BYTES, stallDisconnectMs = SSE_STALL_DISCONNECT_MS }: SseBufferOptions = {}) {
    this.maxBytes = maxBytes;
    this.stallDisconnectMs = stallDisconnectMs;
  }

  /**
   * False while a resync is pending: events are then skipped, so a caller may skip even
   * building their text (`skip()` counts one).
   */
  get accepting(): boolean {
    return !this.resyncPending;
  }

  /** Counts an event skipped without building it (see `accepting`). */
  skip(): void {
    this.dropped++;
  }

  /** Queues an event's text, unless a resync is pending or it would overflow the buffer. */
  offer(text: string, now: number): OfferResult {
    if (this.resyncPending) {
      this.dropped++;
      return "skipped";
    }
    const size = Buffer.byteLength(text);
    // An empty queue always takes one event (the first `state` may be large on its own).
    if (this.queue.length > 0 && this.bytes + size > this.maxBytes) {
      this.dropped += this.queue.length + 1;
      this.queue = [];
      this.bytes = 0;
      this.resyncPending = true;
      this.behindSince ??= now;
      return "overflow";
    }
    this.queue.push(text);
    this.bytes += size;
    return "queued";
  }

  /** The next chunk to write, or null when there is none; the pending resync comes once the queue is empty. */
  take(): SseChunk | null {
    const text = this.queue.shift();
    if (text !== undefined) {
      this.bytes -= Buffer.byteLength(text);
      return { kind: "text", text };
    }
    if (!this.resyncPending) return null;
    this.resyncPending = false;
    const dropped = this.dropped;
    this.dropped = 0;
    return { kind: "resync", dropped };
  }

  /** Call when a resync has been written: the client has caught up. */
  caughtUp(): void {
    if (!this.resyncPending) this.behindSince = null;
  }

  /** Whether the client has been behind for too long and should be disconnected. */
  stalled(now: number): boolean {
    return this.behindSince !== null && now - this.behindSince >= this.stallDisconnectMs;
  }

  /** Bytes queued now. */
  get size(): number {
    return this.bytes;
  }
}
