import { describe, expect, test } from "bun:test";
import { unknownRequestNameErrors } from "../../../../src/cli/scenario/threshold-names.ts";
import { parseThresholds } from "../../../../src/cli/thresholds.ts";

function thresholds(...texts: string[]) {
  const parsed = parseThresholds(texts);
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.value;
}

describe("tagged thresholds against the test's request names", () => {
  test("a tag naming a request (given or default METHOD path) passes; untagged thresholds need no requests", () => {
    const requests = [{ name: "create", method: "POST", url: "/items" }, { method: "get", url: "/items/7" }, { url: "http://h/ping?x=1" }];
    expect(unknownRequestNameErrors(thresholds("p99{name:create}<300", "errors{name:GET /items/7}<1%", "checks{name:GET /ping?x=1}>99%"), requests, "--threshold")).toEqual([]);
    expect(unknownRequestNameErrors(thresholds("p99<300", "checks>99%"), undefined, "--threshold")).toEqual([]);
  });

  test("a name no request has is named with the names there are; no requests list says so", () => {
    expect(unknownRequestNameErrors(thresholds("p99{name:crate}<300"), [{ name: "create", url: "/items" }, { name: "read", url: "/items/1" }], "--scenario a.yaml: thresholds")).toEqual([
      '--scenario a.yaml: thresholds "p99{name:crate}<300": no request named "crate"; the test\'s requests: "create", "read"',
    ]);
    expect(unknownRequestNameErrors(thresholds("p99{name:ping}<1"), undefined, "--threshold")).toEqual([
      '--threshold "p99{name:ping}<1": the test has no requests list, so no request is named "ping" (name requests in --scenario, or drop the {name:…} tag)',
    ]);
  });
});
