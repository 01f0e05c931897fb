// How the SQLite store packs what it keeps: JSON, deflated (lossless; reports' digests deflate ~3×).
import type { MetricsReport } from "../protocol/index.ts";

/** Deflated JSON, as reports, snapshots and points are stored. */
export const packJson = (value: unknown): Uint8Array => Bun.deflateSync(Buffer.from(JSON.stringify(value)));

/** The JSON of {@link packJson}. */
export const unpackJson = <T>(blob: Uint8Array): T => JSON.parse(new TextDecoder().decode(Bun.inflateSync(new Uint8Array(blob)))) as T;

/** A report as stored in column raw_z: its JSON, deflated. */
export const packReport = (report: MetricsReport): Uint8Array => Bun.deflateSync(Buffer.from(JSON.stringify(report)));

/** A stored report row's JSON, deflated (raw_z) or not (raw, rows written before raw_z). */
export function unpackReport(row: { raw: string; raw_z: Uint8Array | null }): MetricsReport {
  const text = row.raw_z === null ? row.raw : new TextDecoder().decode(Bun.inflateSync(new Uint8Array(row.raw_z)));
  return JSON.parse(text) as MetricsReport;
}

