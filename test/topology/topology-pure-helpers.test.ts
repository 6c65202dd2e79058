import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { formatCpuMask, parseCpuList, parseCpuMask } from "../../bench/topology/cpu-mask.ts";
import { offloadStateOf, parseEthtoolFeatures } from "../../bench/topology/ethtool.ts";
import { fnv1a32, hostLinkName, namespaceName, parseNamespaceName, pickSubnet, subnetAt } from "../../bench/topology/naming.ts";
import { resolveTopologyOptions } from "../../bench/topology/options.ts";
import { resolveRateLimit, tbfArgs } from "../../bench/topology/rate-limit.ts";
import { parseIpAddrJson } from "../../bench/topology/setup.ts";
import { isExitedTaskStat, parseProcStatStartTime } from "../../bench/topology/state.ts";

const fixture = (name: string): string => fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

describe("CPU masks for rps_cpus", () => {
  it.each([
    [[1], "2"],
    [[0], "1"],
    [[33], "2,00000000"],
    [[32], "1,00000000"],
    [[31], "80000000"],
    [[0, 1], "3"],
    [[4, 5, 6, 7], "f0"],
    [[0, 64], "1,00000000,00000001"],
    [[], "0"],
  ])("formats CPUs %j as %s", (cpus, mask) => {
    expect(formatCpuMask(cpus)).toBe(mask);
  });

  it("parses the kernel's padded masks back to CPU numbers", () => {
    expect(parseCpuMask("2\n")).toEqual([1]);
    expect(parseCpuMask("00000000,00000002")).toEqual([1]);
    expect(parseCpuMask("2,00000000")).toEqual([33]);
    expect(parseCpuMask("0")).toEqual([]);
    expect(parseCpuMask("ff")).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(() => parseCpuMask("0x2")).toThrow(SyntaxError);
  });

  it("parses CPU lists", () => {
    expect(parseCpuList("0-1\n")).toEqual([0, 1]);
    expect(parseCpuList("0-2,5")).toEqual([0, 1, 2, 5]);
    expect(parseCpuList("7")).toEqual([7]);
    expect(parseCpuList("")).toEqual([]);
    expect(() => parseCpuList("3-1")).toThrow(SyntaxError);
  });
});

describe("names and addresses from the run id", () => {
  it("hashes with 32-bit FNV-1a (reference vectors)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("derives the subnet from the hash, skipping subnets held by live runs", () => {
    // 0xbf9cf968 % 512 = 360 → 198.19.104.0/24
    expect(pickSubnet("foobar", new Set())).toEqual({
      index: 360,
      cidr: "198.19.104.0/24",
      serverAddress: "198.19.104.1",
      clientAddress: "198.19.104.2",
      prefixLength: 24,
    });
    expect(pickSubnet("foobar", new Set([360, 361])).cidr).toBe("198.19.106.0/24");
    // 0xe40c292c % 512 = 300 → 198.19.44.0/24
    expect(pickSubnet("a", new Set()).cidr).toBe("198.19.44.0/24");
    const allButZero = new Set(Array.from({ length: 511 }, (_, i) => i + 1));
    expect(pickSubnet("foobar", allButZero).cidr).toBe("198.18.0.0/24");
    expect(() => pickSubnet("foobar", new Set([0, ...allButZero]))).toThrow(/all 512 subnets/);
  });

  it("spans 198.18.0.0/15 in /24s", () => {
    expect([0, 255, 256, 511].map((i) => subnetAt(i).cidr)).toEqual([
      "198.18.0.0/24",
      "198.18.255.0/24",
      "198.19.0.0/24",
      "198.19.255.0/24",
    ]);
    expect(() => subnetAt(512)).toThrow(RangeError);
  });

  it("names namespaces after the run and host links after its hash, within 15 characters", () => {
    expect(namespaceName("r1", "srv")).toBe("wirecost-r1-srv");
    expect(hostLinkName("foobar", "sb")).toBe("wc-bf9cf968-sb");
    expect(hostLinkName("foobar", "sb").length).toBeLessThanOrEqual(15);
    expect(parseNamespaceName("wirecost-2025-01-02T03-04-abc-cli")).toEqual({ runId: "2025-01-02T03-04-abc", role: "cli" });
    expect(parseNamespaceName("wirecost-x-y")).toBeNull();
    expect(parseNamespaceName("other-r1-srv")).toBeNull();
  });
});

describe("parsing ethtool -k", () => {
  it("reads the offloads of a veth on 6.18 with the defaults", () => {
    const features = parseEthtoolFeatures(fixture("ethtool-k-veth-6.18.txt"));
    expect(offloadStateOf(features)).toEqual({ tso: true, gso: true, gro: false });
    expect(features["large-receive-offload"]).toEqual({ on: false, fixed: true });
    expect(features["tx-tcp-segmentation"]).toEqual({ on: true, fixed: false });
    expect(Object.keys(features)).toHaveLength(63);
  });

  it("reads them after `ethtool -K eth0 tso off gso off gro off`", () => {
    expect(offloadStateOf(parseEthtoolFeatures(fixture("ethtool-k-veth-offloads-off-6.18.txt")))).toEqual({
      tso: false,
      gso: false,
      gro: false,
    });
  });

  it("understands [requested on] and reports missing features as null", () => {
    const features = parseEthtoolFeatures("Features for x:\ngeneric-receive-offload: off [requested on]\n");
    expect(features["generic-receive-offload"]).toEqual({ on: false, fixed: false });
    expect(offloadStateOf(features)).toEqual({ tso: null, gso: null, gro: false });
  });
});

describe("small parsers", () => {
  it("takes starttime (field 22) from /proc/<pid>/stat, even when comm holds spaces and parentheses", () => {
    const line =
      "7001 (cat) R 6991 6991 2928 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 65012 3133440 393 18446744073709551615 1 1 0";
    expect(parseProcStatStartTime(line)).toBe(65012);
    expect(parseProcStatStartTime(line.replace("(cat)", "(a b) c)"))).toBe(65012);
    expect(() => parseProcStatStartTime("1 (x) S 0")).toThrow(SyntaxError);
  });

  it("tells a zombie or dead owner from a live one, so a killed but unreaped harness counts as gone", () => {
    const line = "19723 (MainThread) S 19668 19591 1064 0 -1 4194560 1 0 0 0 9 1 0 0 20 0 11 0 101263 0 0";
    expect(isExitedTaskStat(line)).toBe(false);
    expect(isExitedTaskStat(line.replace(") S ", ") Z "))).toBe(true);
    expect(isExitedTaskStat(line.replace(") S ", ") X "))).toBe(true);
    expect(isExitedTaskStat(line.replace("(MainThread)", "(a) Z b)"))).toBe(false);
  });

  it("reads ifindex, MTU, MAC and IPv4 address from ip -j addr", () => {
    expect(parseIpAddrJson(fixture("ip-j-addr-veth-6.18.json"))).toEqual({
      ifindex: 3,
      mtu: 1500,
      mac: "5e:45:7c:57:d5:05",
      address: "198.18.5.1",
      prefixLength: 24,
    });
  });
});

describe("topology options", () => {
  it("defaults to the last CPU for the server, the first for the client, RPS, MTU 1500 and default offloads", () => {
    expect(resolveTopologyOptions({ kind: "netns", runId: "r1" }, [0, 1, 2, 3])).toEqual({
      kind: "netns",
      runId: "r1",
      serverCpu: 3,
      clientCpu: 0,
      rxSteering: "rps",
      mtu: 1500,
      mtuGiven: false,
      offloads: "default",
      commandTimeoutMs: 10_000,
      natBackend: "auto",
      publish: undefined,
      clientHosts: 1,
      warnings: [],
    });
  });

  it("warns when server and client share the only CPU", () => {
    const resolved = resolveTopologyOptions({ kind: "netns", runId: "r1" }, [0]);
    expect([resolved.serverCpu, resolved.clientCpu]).toEqual([0, 0]);
    expect(resolved.warnings).toHaveLength(1);
    expect(resolved.warnings[0]).toMatch(/^server and client share CPU 0/);
  });

  it("names the flag and the fix for bad values", () => {
    const bad = (opts: object): unknown => {
      try {
        resolveTopologyOptions({ kind: "netns", runId: "r1", ...opts }, [0, 1]);
        return null;
      } catch (err) {
        return { code: (err as { code: string }).code, message: (err as Error).message };
      }
    };
    expect(bad({ serverCpu: 5 })).toEqual({
      code: "TOPOLOGY_INVALID_OPTION",
      message: "--server-cpu 5: this process may only use CPUs 0,1; pick one of them",
    });
    expect(bad({ mtu: 10 })).toEqual({ code: "TOPOLOGY_INVALID_OPTION", message: "--mtu 10: use a whole number from 68 to 65535" });
    expect(bad({ runId: "../x" })).toMatchObject({ code: "TOPOLOGY_INVALID_OPTION" });
    expect(bad({ kind: "podman" })).toEqual({ code: "TOPOLOGY_INVALID_OPTION", message: "--topology podman: use netns, bridge, docker, hosts or loopback" });
    expect(bad({ rxSteering: "xps" })).toEqual({ code: "TOPOLOGY_INVALID_OPTION", message: "--rx-steering xps: use rps, threaded-napi or none" });
    expect(bad({ rxSteering: "threaded-napi", offloads: "off" })).toEqual({
      code: "TOPOLOGY_INVALID_OPTION",
      message: "--rx-steering threaded-napi needs GRO on at the server eth0, which --offloads off turns off: use one or the other",
    });
    expect(bad({ natBackend: "nftables" })).toEqual({
      code: "TOPOLOGY_INVALID_OPTION",
      message: "NAT backend and published ports are for --topology docker, not netns",
    });
  });
});

describe("tbf arithmetic", () => {
  it("sizes the bucket for one frame, 32 KiB, or 10 ms at the rate, whichever is largest", () => {
    expect(resolveRateLimit({ rateBitsPerSecond: 10_000_000 }, 1500)).toEqual({ rateBitsPerSecond: 10_000_000, burstBytes: 32_768, latencyMs: 50 });
    expect(resolveRateLimit({ rateBitsPerSecond: 1_000_000_000 }, 1500).burstBytes).toBe(1_250_000);
    expect(resolveRateLimit({ rateBitsPerSecond: 1_000_000 }, 65_535).burstBytes).toBe(65_549);
    expect(() => resolveRateLimit({ rateBitsPerSecond: 0 }, 1500)).toThrow(RangeError);
    expect(() => resolveRateLimit({ rateBitsPerSecond: 1_000_000, burstBytes: 100 }, 1500)).toThrow(/one frame/);
  });

  it("builds the tc command", () => {
    expect(tbfArgs("ns", "eth0", { rateBitsPerSecond: 1000, burstBytes: 2000, latencyMs: 5 })).toEqual([
      "-n", "ns", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", "1000bit", "burst", "2000", "latency", "5ms",
    ]);
  });
});
