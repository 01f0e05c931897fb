import { describe, expect, test } from "bun:test";
import { parseTargetCommand } from "../../../target/options.ts";

describe("parseTargetCommand", () => {
  test("fills every default when given nothing", () => {
    expect(parseTargetCommand([], {})).toEqual({
      kind: "run",
      options: { port: 8080, host: "0.0.0.0", delay_ms: { min_ms: 0, max_ms: 0 }, error_rate: 0 },
    });
  });

  test("reads flags in both --flag value and --flag=value forms", () => {
    expect(parseTargetCommand(["--port", "0", "--host=127.0.0.1", "--delay-ms", "20-80", "--error-rate=0.25"], {})).toEqual({
      kind: "run",
      options: { port: 0, host: "127.0.0.1", delay_ms: { min_ms: 20, max_ms: 80 }, error_rate: 0.25 },
    });
  });

  test("reads the environment and lets a flag win over its variable", () => {
    const env = { PORT: "9000", TARGET_DELAY_MS: "50", TARGET_ERROR_RATE: "1", TARGET_UNRELATED: "x" };
    expect(parseTargetCommand([], env)).toEqual({
      kind: "run",
      options: { port: 9000, host: "0.0.0.0", delay_ms: { min_ms: 50, max_ms: 50 }, error_rate: 1 },
    });
    expect(parseTargetCommand(["--port", "9001"], env)).toMatchObject({ kind: "run", options: { port: 9001 } });
  });

  test("treats an empty variable as unset", () => {
    expect(parseTargetCommand([], { PORT: "" })).toMatchObject({ kind: "run", options: { port: 8080 } });
  });

  test("reports every bad flag by name with the value it got", () => {
    expect(
      parseTargetCommand(["--port", "http", "--host", " ", "--delay-ms", "80-20", "--error-rate", "1.5", "--verbose", "extra"], {}),
    ).toEqual({
      kind: "invalid",
      errors: [
        "--verbose: unknown flag (see --help)",
        'unexpected argument "extra" (see --help)',
        '--port: must be an integer from 0 to 65535, got "http"',
        '--host: must not be empty, got " "',
        '--delay-ms: range start 80 is above its end 20, got "80-20"',
        '--error-rate: must be a number from 0 to 1, got "1.5"',
      ],
    });
  });

  test("names the environment variable when the bad value came from it", () => {
    expect(parseTargetCommand([], { PORT: "65536", TARGET_DELAY_MS: "soon", TARGET_ERROR_RATE: "-0.1" })).toEqual({
      kind: "invalid",
      errors: [
        'PORT: must be an integer from 0 to 65535, got "65536"',
        'TARGET_DELAY_MS: expected milliseconds like 50 or a range like 20-80, got "soon"',
        'TARGET_ERROR_RATE: must be a number from 0 to 1, got "-0.1"',
      ],
    });
  });

  test("reports a flag without its value, also when the next token is another flag", () => {
    expect(parseTargetCommand(["--port", "--host", "127.0.0.1", "--error-rate"], {})).toEqual({
      kind: "invalid",
      errors: ["--port: missing value", "--error-rate: missing value"],
    });
  });

  test("answers help before anything else, then version", () => {
    expect(parseTargetCommand(["--port", "x", "-h"], {})).toEqual({ kind: "help" });
    expect(parseTargetCommand(["--version", "--help"], {})).toEqual({ kind: "help" });
    expect(parseTargetCommand(["-v"], { PORT: "x" })).toEqual({ kind: "version" });
  });
});
