import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finishWithJunit } from "../../../src/cli/junit-finish.ts";
import { parseThresholds } from "../../../src/cli/thresholds.ts";
import { findAll, parseXml } from "../../helpers/xml.ts";
import { testView } from "./fixtures.ts";

const quiet = () => {
  let stderr = "";
  return { out: { stdout: () => {}, stderr: (t: string) => void (stderr += t), tty: false }, stderr: () => stderr };
};

test("--junit writes the thresholds of a finished test and keeps finish()'s exit code", () => {
  const parsed = parseThresholds(["p99<5", "errors<1%"]);
  if (!parsed.ok) throw new Error("bad thresholds");
  const file = join(mkdtempSync(join(tmpdir(), "junit-")), "t.xml");
  const { out } = quiet();
  expect(finishWithJunit(testView(), parsed.value, out, false, false, file)).toBe(99);
  const cases = findAll(parseXml(readFileSync(file, "utf8")), "testcase");
  expect(cases.map((c) => [c.attributes.name, c.children.length])).toEqual([["threshold p99<5", 1], ["threshold errors<1%", 0], ["test ended done", 0]]);
});

test("a --junit file that cannot be written fails a passing run with exit 1 and names the file", () => {
  const { out, stderr } = quiet();
  expect(finishWithJunit(testView(), [], out, false, false, "/nonexistent-dir/x.xml")).toBe(1);
  expect(stderr()).toContain("loadtest: cannot write --junit /nonexistent-dir/x.xml:");
});
