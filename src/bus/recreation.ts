/**
 * Pure detection of a topic that was deleted and recreated under a live subscription. Kafka
 * 4's topic ids are not visible through kafkajs 2.2.4 (Metadata v6 at most), so two traces
 * are read instead, each impossible on a topic that was never recreated:
 * - a partition's end offset below an offset this subscription already passed (a log never
 *   shrinks; only a new topic starts again at 0);
 * - the group's committed offset gone for a partition this subscription committed (the broker
 *   drops a deleted topic's committed offsets; an active group's offsets never expire).
 */

/** Per partition: offset as a bigint. */
export type PartitionOffsets = ReadonlyMap<number, bigint>;

/** What a subscription knows of its topic, and what the broker says now. */
export interface RecreationInput {
  /** Per partition, the offset after the last message this subscription fetched (or the end offset at subscribe). */
  passed: PartitionOffsets;
  /** Per partition, the last offset this subscription's group committed (from the consumer's commit events). */
  committed: PartitionOffsets;
  /** Per partition, the topic's end offset (high watermark) now. */
  ends: PartitionOffsets;
  /** Per partition, the group's committed offset on the broker now (absent or negative: none); null when not read. */
  brokerCommitted: PartitionOffsets | null;
  /**
   * Partitions whose end offset may lag what was already read: replicated ones (a new leader's
   * high watermark catches up only as its followers fetch) or leaderless ones. An end offset
   * below what was read proves nothing there.
   */
  unsettled?: ReadonlySet<number>;
}

/** Why the topic must have been recreated, or null when nothing says so. */
export function recreationReason({ passed, committed, ends, brokerCommitted, unsettled }: RecreationInput): string | null {
  for (const [partition, offset] of passed) {
    const end = ends.get(partition);
    if (end === undefined) return `partition ${partition} is gone (the topic has ${ends.size} partition(s) now)`;
    if (end < offset && !unsettled?.has(partition)) return `offsets went backwards: partition ${partition} ends at ${end}, this subscription had read up to ${offset}`;
  }
  if (brokerCommitted !== null) {
    for (const [partition, offset] of committed) {
      if (offset <= 0n) continue;
      const now = brokerCommitted.get(partition);
      if (now === undefined || now < 0n) return `the group's committed offset ${offset} on partition ${partition} vanished`;
    }
  }
  return null;
}

/** Raises `passed[partition]` to `offset + 1` (never lowers it). */
export function notePassed(passed: Map<number, bigint>, partition: number, offset: bigint): void {
  const next = offset + 1n;
  const current = passed.get(partition);
  if (current === undefined || next > current) passed.set(partition, next);
}
