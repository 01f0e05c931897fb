import type { TestConfig } from "../protocol/index.ts";

/**
 * A test's configuration as its views show it (`GET /tests/:id`, SSE snapshots, reports, the
 * stored final result): everything but the `data` rows (up to 10,000 rows / 4 MiB), which
 * `data_rows` counts instead. The whole configuration stays in the test's record (the store)
 * and is served by `GET /tests/:id/config`.
 */
export type ConfigView = Omit<TestConfig, "data"> & { data_rows?: number };

/** The {@link ConfigView} of a configuration: the same object when it has no `data`. */
export function configView(config: TestConfig): ConfigView {
  if (config.data === undefined) return config;
  const { data, ...rest } = config;
  return { ...rest, data_rows: data.length };
}
