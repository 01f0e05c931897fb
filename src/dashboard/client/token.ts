// The bearer token in the browser: kept in this tab (sessionStorage), asked for in a dialog when
// the orchestrator requires one, sent with every POST, forgotten when the API refuses it.

declare global {
  interface Window {
    DASHBOARD_CONFIG: { tokenRequired: boolean };
  }
}

const TOKEN_KEY = "loadtest.token";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

function askToken(message = ""): void {
  $("token-error").textContent = message;
  ($("token-input") as HTMLInputElement).value = "";
  const dialog = $("token-dialog") as HTMLDialogElement;
  if (!dialog.open) dialog.showModal();
}

/** Asks for the token at load when the orchestrator requires one and this tab has none. */
export function askTokenIfMissing(): void {
  if (window.DASHBOARD_CONFIG.tokenRequired && !token()) askToken();
}

/** The Token button and the dialog's Save. */
export function wireTokenDialog(): void {
  const tokenButton = $("token-button");
  tokenButton.hidden = !window.DASHBOARD_CONFIG.tokenRequired;
  tokenButton.addEventListener("click", () => askToken());
  $("token-form").addEventListener("submit", (ev) => {
    const submitter = (ev as SubmitEvent).submitter as HTMLButtonElement | null;
    const value = ($("token-input") as HTMLInputElement).value.trim();
    if (submitter?.value === "save" && value) sessionStorage.setItem(TOKEN_KEY, value);
  });
}

/**
 * POSTs `body` as JSON with the token, when the API requires one. Without a token, or with one
 * the API refuses (401, then forgotten), it asks for the token with the prompt given and
 * answers null; otherwise the response and its JSON answer.
 */
export async function postWithToken<T>(path: string, body: unknown, prompts: { missing: string; refused: string }): Promise<{ response: Response; answer: T } | null> {
  if (window.DASHBOARD_CONFIG.tokenRequired && !token()) {
    askToken(prompts.missing);
    return null;
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const answer = (await response.json()) as T;
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    askToken(prompts.refused);
    return null;
  }
  return { response, answer };
}
