// The dashboard's browser code as one JavaScript file: `Bun.build` from client/main.ts with
// everything it imports (client modules, src/format, summarizeTest), types stripped.
import { join } from "node:path";
import { PREBUILT_CLIENT } from "./prebuilt.ts";

/** The browser entry point; every other client module is reached from it. */
export const CLIENT_ENTRY = join(import.meta.dir, "client", "main.ts");

/** Where `PREBUILT_CLIENT` is defined: the build swaps this file for the bundle. */
export const PREBUILT_MODULE = join(import.meta.dir, "prebuilt.ts");

export interface BundleOptions {
  /** Minify (the executables do; development keeps names readable). */
  minify?: boolean;
}

/** Bundles the browser client into one ES module; throws with the bundler's messages when it fails. */
export async function bundleClient({ minify = false }: BundleOptions = {}): Promise<string> {
  const output = await Bun.build({ entrypoints: [CLIENT_ENTRY], target: "browser", format: "esm", minify, sourcemap: "none", throw: false });
  const file = output.outputs[0];
  if (!output.success || file === undefined) throw new Error(`dashboard bundle failed:\n${output.logs.map(String).join("\n")}`);
  return await file.text();
}

/**
 * The client bundle, built once per caller: the one compiled into the executable, else bundled
 * from the sources on the first call (development). A failed bundle is retried on the next call.
 */
export function clientBundle(): () => Promise<string> {
  let pending: Promise<string> | null = PREBUILT_CLIENT === null ? null : Promise.resolve(PREBUILT_CLIENT);
  return () => {
    pending ??= bundleClient().catch((error: unknown) => {
      pending = null;
      throw error;
    });
    return pending;
  };
}
