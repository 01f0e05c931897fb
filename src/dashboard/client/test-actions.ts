// The dashboard's two commands, start and stop, posted with the token when the API requires one.
import type { TestView } from "../../orchestrator/snapshot.ts";
import { withScenario } from "./scenario-editor.ts";
import { postWithToken } from "./token.ts";

/** The start form's fields as a `POST /tests` body: empty fields left out, numbers as numbers. */
export function formBody(form: HTMLFormElement): Record<string, unknown> {
  const data = new FormData(form);
  const body: Record<string, unknown> = { trigger: true };
  for (const [key, value] of data.entries()) {
    const text = String(value).trim();
    // The scenario box is JSON of its own, added by withScenario.
    if (text === "" || key === "scenario") continue;
    body[key] = key === "test_type" || key === "target_url" ? text : Number(text);
  }
  return body;
}

type Answer = TestView & { error?: string; issues?: { path: string; message: string }[] };

/** Posts a command with the button disabled meanwhile; a refusal or an unreachable API is written to `error`. */
async function post(
  path: string,
  body: unknown,
  prompts: { missing: string; refused: string },
  ui: { error: HTMLElement; button: HTMLButtonElement },
  refusal: (answer: Answer, status: number) => string,
  onOk: (test: TestView) => void,
): Promise<void> {
  const { error, button } = ui;
  error.textContent = "";
  button.disabled = true;
  try {
    const posted = await postWithToken<Answer>(path, body, prompts);
    if (!posted) return;
    const { response, answer } = posted;
    if (!response.ok) {
      error.textContent = refusal(answer, response.status);
      return;
    }
    onOk(answer);
  } catch (err) {
    error.textContent = `Could not reach the orchestrator: ${(err as Error).message}`;
  } finally {
    button.disabled = false;
  }
}

/** `POST /tests` from the start form; a refusal lists every bad field in `error`; `onStarted` gets the new test. */
export function startTest(form: HTMLFormElement, error: HTMLElement, button: HTMLButtonElement, onStarted: (test: TestView) => void): Promise<void> {
  const prompts = { missing: "Enter the token to start tests.", refused: "That token was refused; enter the orchestrator's ORCHESTRATOR_TOKEN." };
  const body = withScenario(formBody(form), String(new FormData(form).get("scenario") ?? ""));
  if (!body.ok) {
    error.textContent = `Not started: ${body.error}`;
    return Promise.resolve();
  }
  return post("/tests", body.body, prompts, { error, button }, (answer, status) => {
    const issues = (answer.issues ?? []).map((i) => `• ${i.path}: ${i.message}`).join("\n");
    return issues ? `Not started:\n${issues}` : `Not started: ${answer.error ?? `HTTP ${status}`}`;
  }, onStarted);
}

/** The Stop button: `POST /tests/:id/stop`; `onStopped` gets the test as the API answered (stopping). */
export function stopTest(testId: string, error: HTMLElement, button: HTMLButtonElement, onStopped: (test: TestView) => void): Promise<void> {
  const prompts = {
    missing: "Enter the token to stop the test, then press Stop again.",
    refused: "That token was refused; enter the orchestrator's ORCHESTRATOR_TOKEN, then press Stop again.",
  };
  const body = { reason: "stopped from the dashboard" };
  return post(`/tests/${encodeURIComponent(testId)}/stop`, body, prompts, { error, button }, (answer, status) => `Not stopped: ${answer.error ?? `HTTP ${status}`}`, onStopped);
}
