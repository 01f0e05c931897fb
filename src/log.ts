/** Severity of a log line; `LOG_LEVEL` picks the lowest one printed (default info). */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured logger: one JSON object per line on stderr. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|sasl|credential|api[_-]?key/i;

/** Replaces values of secret-looking keys, at any depth, so secrets never reach a log. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  name?: string;
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

/** Creates a logger; `write` defaults to stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const envLevel = process.env.LOG_LEVEL as LogLevel | undefined;
  const min = LEVELS[options.level ?? (envLevel && envLevel in LEVELS ? envLevel : "info")];
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  // Fields bound with child() are redacted like per-line ones.
  const base = redact({ ...(options.name ? { name: options.name } : {}), ...options.base }) as Record<string, unknown>;
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...(redact(fields ?? {}) as object) }));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...options, base: { ...options.base, ...fields } }),
  };
}

/** A logger that prints nothing (tests). */
export const silentLogger: Logger = createLogger({ write: () => {} });
