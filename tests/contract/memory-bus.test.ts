import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { busContract } from "./bus-contract.ts";

busContract("memory", async () => {
  const broker = new MemoryBroker();
  return { bus: async () => new MemoryBus(broker) };
});
