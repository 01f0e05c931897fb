// The orchestrator's public surface, for the SSE, dashboard and /metrics built on top of it.
export { createOrchestrator, type Orchestrator, type OrchestratorDeps } from "./orchestrator.ts";
export { createApp, type AppOptions } from "./http/app.ts";
export { createEventHub, type EventHub, type OrchestratorEvent } from "./event-hub.ts";
export { buildTestView, type DriverView, type MetricsView, type SnapshotInput, type TestView } from "./snapshot.ts";
export { summarizeTest, type TestSummary } from "./test-summary.ts";
export type { DropCounts, DropReason } from "./counters.ts";
export type { NodeEventKind, NodeStatus, NodeView } from "./registry.ts";
export type { DriverOutcome, TestState } from "./test-state.ts";
export { systemClock, ManualClock, type Clock } from "./clock.ts";
export { openSqliteStore } from "./sqlite-store.ts";
export { createMemoryStore, type OrchestratorStore } from "./store.ts";
