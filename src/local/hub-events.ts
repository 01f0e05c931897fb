// A test's live snapshots and final result from the in-process event hub, as an async iterable.
import type { FollowEvent } from "../cli/follow.ts";
import type { Orchestrator } from "../orchestrator/orchestrator.ts";

/** Events of one test, buffered from the moment of the call; `setTestId` names the test once created. */
export interface HubEvents extends AsyncIterable<FollowEvent> {
  setTestId(testId: string): void;
  /** Stops listening (also done after the final event). */
  close(): void;
}

/**
 * Subscribes to the hub at once, so nothing emitted between creating a test and iterating is
 * lost; events of other tests are ignored once the test id is known.
 */
export function hubEvents(orchestrator: Pick<Orchestrator, "events">): HubEvents {
  const buffered: { testId: string; event: FollowEvent }[] = [];
  let testId: string | null = null;
  let wake: (() => void) | null = null;
  let closed = false;
  const unsubscribe = orchestrator.events.subscribe((event) => {
    if (event.type === "test") buffered.push({ testId: event.test_id, event: { kind: "snapshot", test: event.snapshot } });
    else if (event.type === "test_final") buffered.push({ testId: event.test_id, event: { kind: "final", test: event.result } });
    else return;
    wake?.();
  });
  const close = () => {
    closed = true;
    unsubscribe();
    wake?.();
  };
  return {
    setTestId(id) {
      testId = id;
      wake?.();
    },
    close,
    async *[Symbol.asyncIterator]() {
      try {
        while (!closed) {
          const index = testId === null ? -1 : buffered.findIndex((b) => b.testId === testId);
          if (index < 0) {
            if (testId !== null) buffered.length = 0;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
            continue;
          }
          // Earlier entries belong to other tests: drop them with it.
          const { event } = buffered.splice(0, index + 1)[index]!;
          yield event;
          if (event.kind === "final") return;
        }
      } finally {
        close();
      }
    },
  };
}
