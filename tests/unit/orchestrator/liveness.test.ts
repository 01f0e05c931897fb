import { describe, expect, test } from "bun:test";
import { Liveness } from "../../../src/orchestrator/liveness.ts";

const T0 = 1_700_000_000_000;
const options = { busStaleMs: 1_000, busRecoveryGraceMs: 10_000 };

describe("Liveness: when is it now, for silence", () => {
  test("while the bus receives, silences are measured to what it has delivered, and nodes may be swept", () => {
    const liveness = new Liveness(options);
    expect(liveness.judge(T0, T0 - 100)).toEqual({ at: T0 - 100, change: null });
    expect({ sweep: liveness.maySweep(T0), outage: liveness.outageSince }).toEqual({ sweep: true, outage: null });
  });

  test("during an outage the judged time stands still where receiving stopped, however long it lasts", () => {
    const liveness = new Liveness(options);
    liveness.judge(T0, T0);
    expect(liveness.judge(T0 + 2_000, T0)).toEqual({ at: T0, change: { kind: "outage", last_received_at: T0 } });
    expect(liveness.judge(T0 + 60_000, T0)).toEqual({ at: T0, change: null });
    expect({ sweep: liveness.maySweep(T0 + 60_000), outage: liveness.outageSince }).toEqual({ sweep: false, outage: T0 });
  });

  test("once it receives again, silence is excused for as long as the outage lasted, at most the recovery grace", () => {
    const short = new Liveness(options);
    short.judge(T0 + 2_000, T0);
    expect(short.judge(T0 + 5_000, T0 + 5_000)).toEqual({ at: T0 + 5_000, change: { kind: "recovered", outage_ms: 5_000, grace_ms: 5_000 } });
    expect([short.maySweep(T0 + 9_999), short.maySweep(T0 + 10_000)]).toEqual([false, true]);

    const long = new Liveness(options);
    long.judge(T0 + 2_000, T0);
    expect(long.judge(T0 + 30_000, T0 + 30_000).change).toEqual({ kind: "recovered", outage_ms: 30_000, grace_ms: 10_000 });
    expect([long.maySweep(T0 + 39_999), long.maySweep(T0 + 40_000)]).toEqual([false, true]);
  });

  test("a bus that reports no receivedThrough is always receiving; a clock ahead of now is capped at now", () => {
    const liveness = new Liveness(options);
    expect(liveness.judge(T0)).toEqual({ at: T0, change: null });
    expect(liveness.judge(T0, T0 + 5_000)).toEqual({ at: T0, change: null });
  });
});
