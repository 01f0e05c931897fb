// The CLI's calls to the orchestrator's REST API and SSE streams, with errors that say what to do.
import type { Comparison } from "../compare/compare.ts";
import type { NodeView } from "../orchestrator/registry.ts";
import type { TestView } from "../orchestrator/snapshot.ts";
import type { TestSummary } from "../orchestrator/test-summary.ts";
import type { Issue } from "../protocol/index.ts";
import { SseParser, type SseEvent } from "./sse-parser.ts";

/** Where the CLI looks for the orchestrator without --orchestrator or LOADTEST_URL. */
export const DEFAULT_ORCHESTRATOR_URL = "http://127.0.0.1:3000";

/** A failure the user can act on; `issues` are the API's per-field problems. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly issues: Issue[] = [],
    /** The API's HTTP status, when the error is its answer. */
    readonly status?: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

/** A typed client of one orchestrator. */
export class OrchestratorClient {
  readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? fetch;
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.options.token) headers.set("authorization", `Bearer ${this.options.token}`);
    try {
      return await this.fetchFn(`${this.baseUrl}${path}`, { ...init, headers });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw new CliError(
        `cannot reach the orchestrator at ${this.baseUrl} (${(err as Error).message}).\n` +
          `Is it running? Start it with "bun run orchestrator" (or "docker compose up"), ` +
          `or point --orchestrator / LOADTEST_URL at it. For a test without Kafka, use "loadtest run <url>".`,
      );
    }
  }

  private async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.call(path, init);
    const text = await response.text();
    if (response.ok) return JSON.parse(text) as T;
    let body: { error?: string; issues?: Issue[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Not our API's JSON (a proxy's page): report the status alone.
    }
    const message = body.error ?? `HTTP ${response.status} ${response.statusText}`;
    if (response.status === 401) throw new CliError(`${message}\nPass the orchestrator's token with --token or ORCHESTRATOR_TOKEN.`);
    throw new CliError(message, 1, body.issues ?? [], response.status);
  }

  /** `GET /nodes`: a page of nodes, live ones first; `total` (absent from older orchestrators) counts them all. */
  nodes(): Promise<{ nodes: NodeView[]; total?: number }> {
    return this.json("/nodes");
  }

  /** `POST /tests`; `signal` gives up waiting for the answer. */
  createTest(body: Record<string, unknown>, signal?: AbortSignal): Promise<TestView> {
    return this.json("/tests", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
  }

  /** Asks the orchestrator to stop a test (`POST /tests/:id/stop`); the view at the time of the call. */
  stopTest(testId: string, body: { stop_grace_ms?: number; reason?: string } = {}): Promise<TestView> {
    return this.json(`/tests/${encodeURIComponent(testId)}/stop`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  getTest(testId: string): Promise<TestView> {
    return this.json(`/tests/${encodeURIComponent(testId)}`);
  }

  listTests(limit: number, offset = 0): Promise<{ tests: TestSummary[]; total: number }> {
    return this.json(`/tests?limit=${limit}&offset=${offset}`);
  }

  /** `GET /tests/compare`: a candidate against its base, judged by each `max_regression`. */
  compare(base: string, candidate: string, maxRegression: readonly string[] = []): Promise<Comparison> {
    const query = new URLSearchParams({ base, candidate });
    for (const t of maxRegression) query.append("max_regression", t);
    return this.json(`/tests/compare?${query}`);
  }

  /** A report as text in the given format. */
  async report(testId: string, format: "json" | "csv" | "html"): Promise<string> {
    const path = `/tests/${encodeURIComponent(testId)}/report?format=${format}`;
    if (format === "json") return JSON.stringify(await this.json(path), null, 2) + "\n";
    const response = await this.call(path);
    if (!response.ok) await this.json(path);
    return response.text();
  }

  /** The events of an SSE stream until it ends or `signal` aborts. */
  async *events(path: string, signal?: AbortSignal): AsyncGenerator<SseEvent> {
    const response = await this.call(path, { headers: { accept: "text/event-stream" }, signal });
    if (!response.ok || !response.body) {
      await this.json(path);
      return;
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield* parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
}
