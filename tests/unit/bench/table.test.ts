import { expect, test } from "bun:test";
import { fmt, fmtPercent, fmtRatio, markdownTable } from "../../../bench/table.ts";

test("markdownTable pads columns, right-aligns the marked ones and shows missing cells as -", () => {
  const table = markdownTable(["tool", ">req/s"], [["wrk", "93,000"], ["ours", null]]);
  expect(table.split("\n")).toEqual(["| tool |  req/s |", "|------|-------:|", "| wrk  | 93,000 |", "| ours |      - |"]);
});

test("number formats show thousands, fixed decimals, ratios and signed percentages, and - when missing", () => {
  expect([fmt(93387.48), fmt(1.234, 2), fmt(NaN), fmtRatio(0.8123), fmtRatio(NaN), fmtPercent(-0.0042), fmtPercent(0.01, 1)]).toEqual([
    "93,387",
    "1.23",
    "-",
    "0.81×",
    "-",
    "-0.42%",
    "+1.0%",
  ]);
});
