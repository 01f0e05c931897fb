export * from "./bus.ts";
export * from "./memory-bus.ts";
export * from "./kafka-bus.ts";
export * from "./kafka-config.ts";
export * from "./reject-log.ts";
export * from "./wait-for-kafka.ts";
