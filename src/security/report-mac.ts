import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { signingInput } from "../protocol/canonical.ts";

/** Shortest report key accepted, in bytes (HMAC-SHA256 wants at least its output size). */
export const MIN_REPORT_KEY_BYTES = 32;

/** The HMAC-SHA256 (base64url) of a report under `key`, over its canonical form without `report_mac`. */
export function reportMac(key: Uint8Array, report: object): string {
  return createHmac("sha256", key).update(signingInput("metrics", report, ["report_mac"])).digest("base64url");
}

/** Whether a report carries a MAC and it is the right one (compared in constant time). */
export function checkReportMac(key: Uint8Array, report: object): "ok" | "unsigned" | "bad_mac" {
  const { report_mac } = report as { report_mac?: string };
  if (report_mac === undefined) return "unsigned";
  const expected = Buffer.from(reportMac(key, report));
  const given = Buffer.from(report_mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? "ok" : "bad_mac";
}

/** A fresh report key as the text of its file (64 hex digits). */
export function newReportKeyText(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(MIN_REPORT_KEY_BYTES))).toString("hex") + "\n";
}

/** Reads a report key file (hex, at least 32 bytes); the error names the file. */
export function loadReportKey(path: string): Uint8Array {
  const text = readFileSync(path, "utf8").trim();
  if (!/^([0-9a-fA-F]{2})+$/.test(text) || text.length < MIN_REPORT_KEY_BYTES * 2) {
    throw new Error(`report key ${path}: expected at least ${MIN_REPORT_KEY_BYTES * 2} hex digits (make one with 'loadtest keygen')`);
  }
  return new Uint8Array(Buffer.from(text, "hex"));
}
