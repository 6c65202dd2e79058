import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { parseCpuMask } from "../../bench/topology/cpu-mask.ts";
import { offloadStateOf, parseEthtoolFeatures } from "../../bench/topology/ethtool.ts";
import { run } from "../../bench/topology/exec.ts";
import type { Topology } from "../../bench/topology/types.ts";
import {
  cpusAllowedList,
  echoThrough,
  hostLinksOf,
  namespaceNames,
  netnsInode,
  noNetns,
  skipNote,
  stopChild,
  sweepRun,
  uniqueRunId,
} from "./helpers.ts";

interface IpAddr {
  ifindex: number;
  ifname: string;
  mtu: number;
  flags: string[];
  operstate: string;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

describe.skipIf(noNetns)(`a netns topology${skipNote}`, () => {
  const runId = uniqueRunId("netns");
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ kind: "netns", runId });
  });
  afterAll(async () => {
    await topology?.destroy();
    await sweepRun(runId);
  });

  it("creates both namespaces with eth0 up, carrying the recorded addresses and MTU", async () => {
    const info = topology.info;
    expect(info.namespaces).toEqual({ server: `wirecost-${runId}-srv`, client: `wirecost-${runId}-cli`, bridge: null });
    expect(await namespaceNames()).toEqual(expect.arrayContaining([info.namespaces.server, info.namespaces.client]));
    expect(info.subnet).toMatch(/^198\.1[89]\.\d+\.0\/24$/);
    for (const iface of info.interfaces) {
      const [dev] = JSON.parse((await run("ip", ["-n", iface.namespace as string, "-j", "addr", "show", "dev", "eth0"])).stdout) as IpAddr[];
      expect(dev?.operstate).toBe("UP");
      expect(dev?.flags).toContain("UP");
      expect(dev?.mtu).toBe(1500);
      expect(iface.mtu).toBe(1500);
      expect(dev?.ifindex).toBe(iface.ifindex);
      expect(dev?.addr_info.filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`)).toEqual([
        `${iface.address}/24`,
      ]);
    }
    expect(info.interfaces.map((i) => [i.role, i.address])).toEqual([
      ["server", info.serverAddress],
      ["client", info.clientAddress],
    ]);
    expect(info.warnings).toEqual([]);
  });

  it("runs a server in the server namespace, pinned to the server CPU, with the spawned pid being the server's", async () => {
    const { server, client } = await echoThrough(topology);
    try {
      expect(server.first["pid"]).toBe(server.child.pid);
      expect(cpusAllowedList(server.child.pid as number)).toBe(String(topology.info.serverCpu));
      expect(netnsInode(`/proc/${server.child.pid}/ns/net`)).toBe(netnsInode(`/run/netns/${topology.info.namespaces.server}`));
      expect(client.first).toEqual({ echo: "ping", pid: client.child.pid, cpus: String(topology.info.clientCpu) });
    } finally {
      await stopChild(server.child);
      await stopChild(client.child);
    }
  });

  it("defaults to the last CPU for the server and CPU 0 for the client", () => {
    const online = fs.readFileSync("/sys/devices/system/cpu/online", "utf8").trim();
    const last = Number(online.split(/[-,]/).at(-1));
    expect({ server: topology.info.serverCpu, client: topology.info.clientCpu }).toEqual({ server: last, client: 0 });
  });

  it("steers the server eth0's receive processing to the server CPU with RPS", async () => {
    const ns = topology.info.namespaces.server as string;
    const readBack = (await run("ip", ["netns", "exec", ns, "cat", "/sys/class/net/eth0/queues/rx-0/rps_cpus"])).stdout;
    expect(parseCpuMask(readBack)).toEqual([topology.info.serverCpu]);
    expect(topology.info.rxSteering.mode).toBe("rps");
    expect(parseCpuMask(topology.info.rxSteering.rpsCpus as string)).toEqual([topology.info.serverCpu]);
    const clientMask = (await run("ip", ["netns", "exec", topology.info.namespaces.client as string, "cat", "/sys/class/net/eth0/queues/rx-0/rps_cpus"])).stdout;
    expect(parseCpuMask(clientMask)).toEqual([]);
  });

  it("records the offloads that ethtool reports on both eth0s", async () => {
    expect(topology.info.offloadMode).toBe("default");
    for (const iface of topology.info.interfaces) {
      const text = (await run("ip", ["netns", "exec", iface.namespace as string, "ethtool", "-k", "eth0"])).stdout;
      expect(iface.offloads).toEqual(offloadStateOf(parseEthtoolFeatures(text)));
      expect(iface.offloads?.tso).not.toBeNull();
    }
  });

  it("gives anchor pids that live inside each namespace", () => {
    for (const role of ["server", "client"] as const) {
      const pid = topology.anchorPid(role);
      const ns = role === "server" ? topology.info.namespaces.server : topology.info.namespaces.client;
      expect(netnsInode(`/proc/${pid}/ns/net`)).toBe(netnsInode(`/run/netns/${ns}`));
      expect(fs.readFileSync(`/proc/${pid}/net/dev`, "utf8")).toMatch(/^\s*eth0:/m);
    }
  });

  it("removes both namespaces, the veth pair, the anchors and the state file on destroy", async () => {
    const anchors = [topology.anchorPid("server"), topology.anchorPid("client")];
    const stateFile = topology.info.stateFile as string;
    expect(fs.existsSync(stateFile)).toBe(true);
    await topology.destroy();
    expect(topology.destroyed).toBe(true);
    expect((await namespaceNames()).filter((n) => n.startsWith(`wirecost-${runId}`))).toEqual([]);
    expect(await hostLinksOf(runId)).toEqual([]);
    expect(fs.existsSync(stateFile)).toBe(false);
    for (const pid of anchors) {
      const state = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] : "gone";
      expect(["Z", "gone"]).toContain(state);
    }
  });
});
