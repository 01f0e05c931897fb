/** What a driver is doing, for heartbeats and tests. */
export interface DriverStatus {
  state: "idle" | "running";
  /** The running test, else the newest accepted one waiting for its trigger. */
  testId?: string;
  /** Messages queued for the bus. */
  queued: number;
}

/** A running driver as its owner (main.ts, the local fleet, tests) sees it. */
export interface Driver {
  /** Subscribes to configurations and triggers, registers, and starts heartbeats. */
  start(): Promise<void>;
  /** Ends the running test cleanly (final report), deregisters, flushes the outbox. Does not close the bus. */
  stop(): Promise<void>;
  status(): DriverStatus;
}
