import { expect, test } from "bun:test";
import type { NetworkInterfaceInfo } from "node:os";
import { defaultNodeId, firstExternalIPv4, resolveNodeIp } from "../../../src/driver/node-address.ts";

const nic = (address: string, family: "IPv4" | "IPv6", internal: boolean) => ({ address, family, internal }) as NetworkInterfaceInfo;

test("picks the first non-internal IPv4 address", () => {
  expect(
    firstExternalIPv4({ lo: [nic("127.0.0.1", "IPv4", true)], eth0: [nic("fe80::1", "IPv6", false), nic("10.1.2.3", "IPv4", false)] }),
  ).toBe("10.1.2.3");
  expect(firstExternalIPv4({ lo: [nic("127.0.0.1", "IPv4", true)] })).toBeUndefined();
});

test("uses the advertised address when one is given, without probing", async () => {
  expect(await resolveNodeIp(["unreachable.invalid:9092"], "192.0.2.10")).toBe("192.0.2.10");
});

test("makes a readable default node id from the host name and a short suffix", () => {
  expect(defaultNodeId("Web_Host 3.local", () => "a1b2")).toBe("web_host-3.local-a1b2");
  expect(defaultNodeId("!!!", () => "ffff")).toBe("driver-ffff");
  expect(defaultNodeId()).toMatch(/^[a-z0-9._-]+-[0-9a-f]{4}$/);
});
