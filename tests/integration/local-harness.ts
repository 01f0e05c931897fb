// An orchestrator with drivers in this process (memory bus), its HTTP app, and a target on port 0.
import { startLocalFleet, type LocalFleet } from "../../src/local/local-fleet.ts";
import { createApp } from "../../src/orchestrator/http/app.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import type { OrchestratorStore } from "../../src/orchestrator/store.ts";
import { createTarget, type Target } from "../../target/server.ts";

export interface Harness {
  fleet: LocalFleet;
  target: Target;
  app: ReturnType<typeof createApp>;
  pingUrl: string;
  close(): Promise<void>;
}

/** Starts a target, an orchestrator and `drivers` drivers in this process. */
export async function startHarness({ drivers = 2, store, token }: { drivers?: number; store?: OrchestratorStore; token?: string } = {}): Promise<Harness> {
  const target = createTarget({ port: 0, host: "127.0.0.1" });
  const fleet = await startLocalFleet({ drivers, store });
  const pingUrl = `${target.url}/ping`;
  const app = createApp(fleet.orchestrator, { defaultTarget: pingUrl, allowTargets: ["127.0.0.1"], token });
  return {
    fleet,
    target,
    app,
    pingUrl,
    async close() {
      await fleet.close();
      await target.stop();
    },
  };
}

/** Resolves with a test's final result, announced on the hub. */
export function finalOf(fleet: LocalFleet, testId: () => string | undefined): Promise<TestView> {
  return new Promise((resolve) => {
    const unsubscribe = fleet.orchestrator.events.subscribe((event) => {
      if (event.type === "test_final" && event.test_id === testId()) {
        unsubscribe();
        resolve(event.result);
      }
    });
  });
}

/** `POST /tests` through the app with `trigger: true`; returns the created test. */
export async function startTest(h: Harness, body: Record<string, unknown>): Promise<TestView> {
  const response = await h.app.request("/tests", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ trigger: true, ...body }) });
  if (response.status !== 201) throw new Error(`POST /tests: ${response.status} ${await response.text()}`);
  return (await response.json()) as TestView;
}

/** Runs a test to its end and returns its final result. */
export async function runTest(h: Harness, body: Record<string, unknown>): Promise<TestView> {
  let id: string | undefined;
  const final = finalOf(h.fleet, () => id);
  id = (await startTest(h, body)).test_id;
  return final;
}
