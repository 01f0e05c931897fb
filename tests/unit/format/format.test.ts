import { describe, expect, test } from "bun:test";
import { escapeHtml, formatAgo, formatCount, formatDuration, formatMs, formatPercent, formatRate } from "../../../src/format/format.ts";

describe("formatting", () => {
  test("numbers, rates, latencies, durations and shares read well", () => {
    expect({
      count: [formatCount(1234567), formatCount(null)],
      rate: [formatRate(12.34), formatRate(1234.4), formatRate(undefined)],
      ms: [formatMs(0.421), formatMs(12.34), formatMs(123.4), formatMs(1250)],
      duration: [formatDuration(850), formatDuration(5240), formatDuration(184_000), formatDuration(3_720_000)],
      percent: [formatPercent(1, 400), formatPercent(1, 0)],
      ago: [formatAgo(10_000, 10_500), formatAgo(0, 30_000), formatAgo(0, 600_000)],
    }).toEqual({
      count: ["1,234,567", "–"],
      rate: ["12.3", "1,234", "–"],
      ms: ["0.42 ms", "12.3 ms", "123 ms", "1.25 s"],
      duration: ["850 ms", "5.2 s", "3m 04s", "1h 02m"],
      percent: ["0.25%", "–"],
      ago: ["now", "30 s ago", "10 min ago"],
    });
  });

  test("escapes HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
  });
});
