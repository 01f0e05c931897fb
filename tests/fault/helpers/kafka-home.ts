/** What the private brokers of the fault tests share: the Kafka jars and free loopback ports. */
import { createServer } from "node:net";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..", "..");

/** The jars scripts/kafka-up.sh fetched: KAFKA_LIBS_DIR, else <KAFKA_HOME_DIR or .kafka>/libs. */
export const SHARED_KAFKA_LIBS = process.env.KAFKA_LIBS_DIR ?? join(process.env.KAFKA_HOME_DIR ?? join(ROOT, ".kafka"), "libs");

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
