export * from "./messages.ts";
export * from "./topics.ts";
export * from "./codec.ts";
export * from "./limits.ts";
export * from "./counts.ts";
export * from "./report-key.ts";
export * from "./clock.ts";
export * from "./test-parameters.ts";
