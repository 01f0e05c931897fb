import { createConnection } from "node:net";
import { hostname, networkInterfaces } from "node:os";

/** How long to wait for the broker's TCP answer when finding our own address. */
const PROBE_TIMEOUT_MS = 2_000;

/** "::ffff:10.0.0.5" (an IPv4 socket reported as IPv6) → "10.0.0.5". */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/** Splits "host:port" or "[v6]:port". */
function hostPort(broker: string): { host: string; port: number } {
  const at = broker.lastIndexOf(":");
  return { host: broker.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(broker.slice(at + 1)) };
}

/**
 * The local address of a TCP connection to `broker`: the interface the cluster really sees
 * us on (right on multi-homed hosts and in containers). Undefined when it cannot connect.
 */
export function localAddressToward(broker: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  const { host, port } = hostPort(broker);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (address: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(address);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once("connect", () => done(socket.localAddress ? plainAddress(socket.localAddress) : undefined));
    socket.once("error", () => done(undefined));
  });
}

/** The first non-internal IPv4 address of this host, if any. */
export function firstExternalIPv4(interfaces = networkInterfaces()): string | undefined {
  for (const list of Object.values(interfaces)) {
    for (const entry of list ?? []) {
      if (entry.family === "IPv4" && !entry.internal) return entry.address;
    }
  }
  return undefined;
}

/**
 * The address a driver advertises as `node_IP`: the override (`--advertise-ip`/NODE_IP) when
 * given, else the local end of a connection to the first broker, else the first non-internal
 * IPv4, else the host name.
 */
export async function resolveNodeIp(brokers: readonly string[], override?: string): Promise<string> {
  if (override) return override;
  const first = brokers[0];
  const viaBroker = first !== undefined ? await localAddressToward(first) : undefined;
  return viaBroker ?? firstExternalIPv4() ?? hostname();
}

/** A readable default node id: the host name and a short random suffix, e.g. `web-3-a1b2`. */
export function defaultNodeId(host = hostname(), random = () => crypto.randomUUID().slice(0, 4)): string {
  const base = host.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 100) || "driver";
  return `${base}-${random()}`;
}
