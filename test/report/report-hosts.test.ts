/** The report's "Where it ran" for a run across hosts: each host as its agent described it, NIC and IRQs included. */
import { describe, expect, it } from "vitest";
import { hostRow } from "../../bench/report/environment-section.ts";
import type { HostRecord } from "../../bench/results/schema.ts";

const host = (over: Partial<HostRecord>): HostRecord => ({
  name: "server",
  role: "server",
  agent: "10.0.0.5:7000",
  benchAddress: "192.168.10.5",
  hostname: "node-a",
  kernel: "6.1.0-18-amd64",
  cpuCount: 16,
  node: "24.21.0",
  cpu: 15,
  nics: [],
  ...over,
});

describe("a host's row", () => {
  it("names a real NIC's driver, offloads and each interrupt line with its CPUs", () => {
    const nic = { name: "ens5", driver: "ena", mtu: 9001, mac: "0a:1b:2c:3d:4e:5f", offloads: { tso: true, gso: true, gro: true }, irqs: [{ irq: 27, cpus: "0" }, { irq: 28, cpus: "1-3" }], notes: [] };
    expect(hostRow(host({ nics: [nic] }))).toEqual([
      "Host server",
      "node-a, 6.1.0-18-amd64, 16 CPUs; agent at 10.0.0.5:7000; its server on CPU 15, the benchmark on 192.168.10.5 `ens5` (driver ena, MTU 9001, TSO on, GSO on, GRO on, IRQ 27 on CPUs 0, IRQ 28 on CPUs 1-3)",
    ]);
  });

  it("says a veth is virtual with no interrupt lines, and a client host's CPU is its generator's", () => {
    const veth = { name: "eth0", driver: null, mtu: 1500, mac: null, offloads: null, irqs: [], notes: [] };
    expect(hostRow(host({ name: "client-2", role: "client", cpu: 0, nics: [veth] }))[1]).toBe(
      "node-a, 6.1.0-18-amd64, 16 CPUs; agent at 10.0.0.5:7000; its generator on CPU 0, the benchmark on 192.168.10.5 `eth0` (virtual, MTU 1500, offloads not recorded, no interrupt lines)",
    );
  });
});
