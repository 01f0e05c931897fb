import { describe, expect, test } from "bun:test";
import { notePassed, recreationReason } from "../../../src/bus/recreation.ts";

const offsets = (entries: [number, number][]) => new Map(entries.map(([p, o]) => [p, BigInt(o)]));

describe("recreationReason", () => {
  test("a topic whose end offsets only grew was not recreated", () => {
    expect(recreationReason({ passed: offsets([[0, 5], [1, 0]]), committed: offsets([[0, 5]]), ends: offsets([[0, 9], [1, 0]]), brokerCommitted: offsets([[0, 5]]) })).toBeNull();
  });

  test("an end offset below what the subscription already read means the topic was recreated", () => {
    expect(recreationReason({ passed: offsets([[0, 3]]), committed: new Map(), ends: offsets([[0, 1]]), brokerCommitted: null })).toBe(
      "offsets went backwards: partition 0 ends at 1, this subscription had read up to 3",
    );
  });

  test("a partition that no longer exists means the topic was recreated with fewer partitions", () => {
    expect(recreationReason({ passed: offsets([[0, 0], [3, 0]]), committed: new Map(), ends: offsets([[0, 0]]), brokerCommitted: null })).toBe(
      "partition 3 is gone (the topic has 1 partition(s) now)",
    );
  });

  test("a committed offset the broker no longer has means the topic was recreated, even when the new topic already caught up", () => {
    // One message before the deletion, one after: the end offset alone cannot tell.
    const input = { passed: offsets([[0, 1]]), committed: offsets([[0, 1]]), ends: offsets([[0, 1]]) };
    expect(recreationReason({ ...input, brokerCommitted: offsets([[0, -1]]) })).toBe("the group's committed offset 1 on partition 0 vanished");
    expect(recreationReason({ ...input, brokerCommitted: new Map() })).toBe("the group's committed offset 1 on partition 0 vanished");
    expect(recreationReason({ ...input, brokerCommitted: offsets([[0, 1]]) })).toBeNull();
  });

  test("committed offsets are not compared when they were not read, or when nothing past 0 was committed", () => {
    expect(recreationReason({ passed: offsets([[0, 1]]), committed: offsets([[0, 1]]), ends: offsets([[0, 1]]), brokerCommitted: null })).toBeNull();
    expect(recreationReason({ passed: offsets([[0, 0]]), committed: offsets([[0, 0]]), ends: offsets([[0, 0]]), brokerCommitted: new Map() })).toBeNull();
  });
});

test("notePassed only ever raises a partition's offset", () => {
  const passed = new Map<number, bigint>();
  notePassed(passed, 0, 4n);
  notePassed(passed, 0, 2n);
  notePassed(passed, 1, 0n);
  expect(passed).toEqual(offsets([[0, 5], [1, 1]]));
});

test("an end offset behind what was read on a partition not fully in sync (a failover) is no proof of re-creation", () => {
  const passed = new Map([[0, 30n], [1, 5n]]);
  const ends = new Map([[0, 29n], [1, 5n]]);
  expect(recreationReason({ passed, committed: new Map(), ends, brokerCommitted: null, unsettled: new Set([0]) })).toBeNull();
  expect(recreationReason({ passed, committed: new Map(), ends, brokerCommitted: null, unsettled: new Set([1]) })).toMatch(/offsets went backwards: partition 0/);
});
