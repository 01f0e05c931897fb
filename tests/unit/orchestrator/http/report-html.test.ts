import { describe, expect, test } from "bun:test";
import { reportHtml } from "../../../../src/orchestrator/http/report-html.ts";
import { testView } from "../../cli/fixtures.ts";

const SCRIPT = `<script>alert("x")</script>`;

describe("HTML report escaping (hono/html)", () => {
  test("a test id, stop reason, error, node id and target holding <script> come out as text, never as markup", () => {
    const base = testView();
    const hostile = testView({
      test_id: `t${SCRIPT}`,
      state: "stopped",
      error: `boom ${SCRIPT}`,
      config: { ...base.config, target_url: `http://127.0.0.1:8080/?q=${SCRIPT}` },
      stop: { requested_at: 1, reason: `because ${SCRIPT}`, grace_ms: 100, by: "user", unconfirmed: [`d${SCRIPT}`] },
      per_driver: base.per_driver.map((d) => ({ ...d, node_id: `n${SCRIPT}` })),
    });
    const page = reportHtml(hostile, null, 0);
    expect(page).not.toContain("<script");
    expect(page).toContain("<title>Load test t&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>");
    expect(page).toContain("<dt>reason</dt><dd>because &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</dd>");
    expect(page).toContain('<div class="card err">boom &lt;script&gt;');
    expect(page).toContain("<dt>not confirmed by</dt><dd>d&lt;script&gt;");
    expect(page).toContain("<tr><td>n&lt;script&gt;");
  });

  test("the stylesheet and charts are inserted as markup, not escaped", () => {
    const page = reportHtml(testView(), null, 0);
    expect(page).toContain("<style>\n:root{color-scheme:light;");
    expect(page).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="chart"');
  });
});
