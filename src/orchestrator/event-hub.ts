import type { BusHealth } from "./bus-health.ts";
import type { NodeEventKind, NodeView } from "./registry.ts";
import type { SeriesPoint } from "./series.ts";
import type { TestView } from "./snapshot.ts";

/**
 * What the orchestrator announces in process: live test snapshots and final results (each with
 * the newest seconds of its series, see LIVE_TAIL_POINTS), node changes.
 */
export type OrchestratorEvent =
  | { type: "test"; test_id: string; snapshot: TestView; points: SeriesPoint[] }
  | { type: "test_final"; test_id: string; result: TestView; points: SeriesPoint[] }
  | { type: "node"; event: NodeEventKind; node: NodeView }
  /** The bus's health changed (a topic degraded or healed, receiving stopped or resumed). */
  | { type: "bus"; health: BusHealth };

export type Listener<E> = (event: E) => void;

/** A synchronous fan-out: every listener gets every event; a throwing listener never stops the others. */
export interface EventHub<E> {
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: Listener<E>): () => void;
  emit(event: E): void;
  /** How many listeners are attached. */
  size(): number;
}

/** Creates an {@link EventHub}; `onListenerError` hears listener failures (for logging). */
export function createEventHub<E>(onListenerError: (err: unknown) => void = () => {}): EventHub<E> {
  const listeners = new Set<Listener<E>>();
  return {
    subscribe(listener) {
      // Wrap so the same function may subscribe twice and unsubscribe independently.
      const entry: Listener<E> = (event) => listener(event);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    emit(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    size: () => listeners.size,
  };
}
