// `bun run build` (scripts/build.ts) replaces this file, while compiling an executable, with the
// bundled browser client; run from source it stays null and the client is bundled on first request.

/** The dashboard's browser bundle compiled into the executable, or null when running from source. */
export const PREBUILT_CLIENT: string | null = null;
