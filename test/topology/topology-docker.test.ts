import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { iptablesRules } from "../../bench/topology/docker-nat.ts";
import { run } from "../../bench/topology/exec.ts";
import { hostLinkName } from "../../bench/topology/naming.ts";
import { destroyAllTopologiesSync } from "../../bench/topology/resources.ts";
import { stateFilePath } from "../../bench/topology/state.ts";
import { checkTopologySupport } from "../../bench/topology/support.ts";
import type { Topology } from "../../bench/topology/types.ts";
import { TopologyError } from "../../bench/topology/types.ts";
import { echoThrough, hostLinksOf, namespacesOf, stopChild, sweepRun, uniqueRunId } from "./helpers.ts";

const support = await checkTopologySupport("docker");
const skipNote = support.ok ? "" : ` (skipped: ${support.reason}; ${support.fix})`;
const hasTool = (file: string): boolean => spawnSync(file, ["--version"], { stdio: "ignore" }).error === undefined;
const noIptables = !hasTool("iptables");

interface NftRule {
  rule?: { chain: string; expr: Record<string, unknown>[] };
}

/** Packets counted by each rule of the run's nft table, keyed "<chain>:<verdict or nat kind>". */
async function nftCounters(namespace: string): Promise<Record<string, number>> {
  const out = (await run("ip", ["netns", "exec", namespace, "nft", "-j", "list", "table", "ip", "wirecost_docker"])).stdout;
  const counters: Record<string, number> = {};
  for (const item of (JSON.parse(out) as { nftables: NftRule[] }).nftables) {
    if (item.rule === undefined) continue;
    const counter = item.rule.expr.find((e) => "counter" in e)?.["counter"] as { packets: number } | undefined;
    const last = Object.keys(item.rule.expr.at(-1) ?? {})[0] ?? "?";
    const key = `${item.rule.chain}:${last}`;
    counters[key] = (counters[key] ?? 0) + (counter?.packets ?? 0);
  }
  return counters;
}

function hostIpForward(): string {
  return fs.readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
}

describe.skipIf(!support.ok)(`a docker topology with nftables${skipNote}`, () => {
  const runId = uniqueRunId("docker");
  let topology: Topology;
  let hostForwardBefore: string;
  beforeAll(async () => {
    hostForwardBefore = hostIpForward();
    topology = await createTopology({ kind: "docker", runId });
  });
  afterAll(async () => {
    await topology?.destroy();
    await sweepRun(runId);
  });

  it("puts both containers on docker0 in a host namespace, and the client's server address is the published one", async () => {
    const info = topology.info;
    const host = `wirecost-${runId}-host`;
    expect(info.namespaces).toEqual({ server: `wirecost-${runId}-srv`, client: `wirecost-${runId}-cli`, bridge: host });
    expect((await namespacesOf(runId)).sort()).toEqual([info.namespaces.client, host, info.namespaces.server].sort());
    const net = (info.subnet as string).replace(/\.0\/24$/, "");
    expect([info.serverAddress, info.serverListenAddress, info.clientAddress]).toEqual([`${net}.1`, `${net}.3`, `${net}.2`]);
    expect(info.interfaces.map((i) => [i.role, i.name, i.address])).toEqual([
      ["server", "eth0", `${net}.3`],
      ["client", "eth0", `${net}.2`],
      ["bridge-port", "veth-srv", null],
      ["bridge-port", "veth-cli", null],
      ["bridge", "docker0", `${net}.1`],
    ]);
    const ports = JSON.parse((await run("ip", ["-n", host, "-d", "-j", "link", "show", "master", "docker0"])).stdout) as {
      ifname: string;
      linkinfo: { info_slave_data: { hairpin: boolean } };
    }[];
    expect(ports.map((p) => [p.ifname, p.linkinfo.info_slave_data.hairpin]).sort()).toEqual([["veth-cli", true], ["veth-srv", true]]);
    expect(info.docker).toMatchObject({
      hostNamespace: host,
      bridge: "docker0",
      gatewayAddress: `${net}.1`,
      publishedAddress: info.serverAddress,
      serverContainerAddress: info.serverListenAddress,
      publishedPorts: [
        { protocol: "tcp", hostPorts: [1, 65535], containerPort: null },
        { protocol: "udp", hostPorts: [1, 65535], containerPort: null },
      ],
      nat: { backend: "nftables", table: "ip wirecost_docker" },
      ipForward: { host: 1, server: 0, client: 0 },
      bridgeNfCallIptables: 1,
      hairpin: true,
      userlandProxy: false,
      serverSeesSource: "client",
      conntrack: { present: true, procFile: `/proc/${topology.bridgeAnchorPid()}/net/nf_conntrack` },
    });
    expect(info.docker?.nat.rules).toContain(`add rule ip wirecost_docker published meta l4proto tcp th dport 1-65535 counter dnat to ${net}.3`);
    expect(hostIpForward()).toBe(hostForwardBefore);
  });

  it("carries TCP to the published port through DNAT, the server seeing the client container's own address", async () => {
    const { server, client } = await echoThrough(topology);
    try {
      expect(client.first["echo"]).toBe("ping");
      // DNAT only: the masquerade rule is for traffic leaving the subnet, which this is not (docker-nat.ts).
      expect((await server.next())["peer"]).toBe(topology.info.clientAddress);
      const port = String(server.first["port"]);
      const info = topology.info;
      // The connection in the host namespace's conntrack table, read from outside through the host anchor.
      const table = fs.readFileSync(info.docker?.conntrack.procFile as string, "utf8");
      const entry = table.split("\n").find((l) => l.includes(`dport=${port} `) && l.includes(`src=${info.clientAddress} dst=${info.serverAddress} `));
      expect(entry).toContain(`src=${info.serverListenAddress} dst=${info.clientAddress} sport=${port}`);
      expect(entry).toContain("[ASSURED]");
      const counters = await nftCounters(info.namespaces.bridge as string);
      expect(counters["published:dnat"]).toBeGreaterThanOrEqual(1);
      expect(counters["prerouting:jump"]).toBeGreaterThanOrEqual(1);
      expect(counters["postrouting:masquerade"]).toBe(0);
      // Replies are bridged, yet pass the forward chain: br_netfilter (bridge-nf-call-iptables = 1).
      expect(counters["forward:accept"]).toBeGreaterThanOrEqual(6);
    } finally {
      await stopChild(server.child);
      await stopChild(client.child);
    }
  });

  it("removes the three namespaces, the NAT with them, every veth and the state file on destroy", async () => {
    const stateFile = topology.info.stateFile as string;
    await topology.destroy();
    expect(await namespacesOf(runId)).toEqual([]);
    expect(await hostLinksOf(runId)).toEqual([]);
    expect(fs.existsSync(stateFile)).toBe(false);
    expect(hostIpForward()).toBe(hostForwardBefore);
  });
});

describe.skipIf(!support.ok || noIptables)(`a docker topology with iptables${support.ok && noIptables ? " (skipped: iptables is not installed; apt-get install iptables)" : skipNote}`, () => {
  const runId = uniqueRunId("dockipt");
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ kind: "docker", runId, natBackend: "iptables", mtu: 1400, rxSteering: "none" });
  });
  afterAll(async () => {
    await topology?.destroy();
    await sweepRun(runId);
  });

  it("loads Docker's iptables rules, carries TCP through them, and applies the MTU to every link", async () => {
    const info = topology.info;
    expect(info.docker?.nat.backend).toMatch(/^iptables-(nft|legacy)$/);
    expect(info.docker?.nat.table).toBeNull();
    expect(info.mtu).toBe(1400);
    expect(info.interfaces.map((i) => i.mtu)).toEqual([1400, 1400, 1400, 1400, 1400]);
    const { server, client } = await echoThrough(topology);
    try {
      expect(client.first["echo"]).toBe("ping");
      expect((await server.next())["peer"]).toBe(info.clientAddress);
    } finally {
      await stopChild(server.child);
      await stopChild(client.child);
    }
    const host = info.namespaces.bridge as string;
    const nat = (await run("ip", ["netns", "exec", host, "iptables", "-t", "nat", "-L", "WIRECOST-DOCKER", "-n", "-v", "-x"])).stdout;
    const dnat = nat.split("\n").find((l) => l.includes("DNAT") && l.includes("tcp"));
    expect(Number(dnat?.trim().split(/\s+/)[0])).toBeGreaterThanOrEqual(1);
  });

  it("has undo commands that take the rules back out, leaving the built-in chains as they were", async () => {
    const info = topology.info;
    const host = info.namespaces.bridge as string;
    const plan = {
      bridge: "docker0",
      subnet: info.subnet as string,
      serverContainer: info.serverListenAddress as string,
      published: info.docker?.publishedPorts ?? [],
    };
    for (const argv of iptablesRules(plan, "iptables").undo) await run("ip", ["netns", "exec", host, ...argv]);
    const left = (await run("ip", ["netns", "exec", host, "iptables-save"])).stdout.split("\n").filter((l) => /^-A|^:WIRECOST/.test(l));
    expect(left).toEqual([]);
    expect((await run("ip", ["netns", "exec", host, "iptables", "-S", "FORWARD"])).stdout.split("\n")[0]).toBe("-P FORWARD ACCEPT");
    await topology.destroy();
    expect(await namespacesOf(runId)).toEqual([]);
  });
});

describe.skipIf(!support.ok)(`a docker topology destroyed part-way${skipNote}`, () => {
  it("removes everything when destroyed (as by a signal handler) after its NAT was loaded", async () => {
    const runId = uniqueRunId("dockabort");
    const host = `wirecost-${runId}-host`;
    let destroyedAfterNat = false;
    // Poll for the nft table; the moment it exists, destroy as a signal handler would.
    const poll = setInterval(() => {
      if (destroyedAfterNat) return;
      const r = spawnSync("ip", ["netns", "exec", host, "nft", "list", "table", "ip", "wirecost_docker"], { stdio: "ignore" });
      if (r.status === 0) {
        destroyedAfterNat = true;
        expect(destroyAllTopologiesSync()).toEqual([]);
      }
    }, 2);
    try {
      const outcome = await createTopology({ kind: "docker", runId }).then(
        async (t) => {
          await t.destroy();
          return null;
        },
        (err: unknown) => err,
      );
      clearInterval(poll);
      // About twenty commands run after the NAT is loaded, so the 2 ms poll sees the table before creation ends.
      expect(destroyedAfterNat).toBe(true);
      expect(outcome).toBeInstanceOf(TopologyError);
      expect((outcome as TopologyError).code).toBe("TOPOLOGY_ABORTED");
      expect(await namespacesOf(runId)).toEqual([]);
      expect(await hostLinksOf(runId)).toEqual([]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
    } finally {
      clearInterval(poll);
      await sweepRun(runId);
    }
  });

  it("removes the namespaces a failed create made, when a veth step fails on a host link name collision", async () => {
    const runId = uniqueRunId("dockclash");
    const foreign = hostLinkName(runId, "cb");
    await run("ip", ["link", "add", foreign, "type", "bridge"]);
    try {
      const err = await createTopology({ kind: "docker", runId }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: "TOPOLOGY_SETUP_FAILED" });
      expect(await namespacesOf(runId)).toEqual([]);
      expect(await hostLinksOf(runId)).toEqual([foreign]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
    } finally {
      await run("ip", ["link", "del", foreign]);
      await sweepRun(runId);
    }
  });

  it("removes everything, NAT included, when the process holding it gets SIGTERM", async () => {
    const runId = uniqueRunId("docksig");
    const fixture = fileURLToPath(new URL("./fixtures/hold-topology.ts", import.meta.url));
    const child = spawn(process.execPath, [fixture, runId, "docker", "after-create"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal })),
      );
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout }).on("line", (line) => {
          if (line.includes('"ready"')) resolve();
        });
        child.once("exit", () => reject(new Error("hold-topology exited before it was ready")));
      });
      expect((await namespacesOf(runId)).length).toBe(3);
      child.kill("SIGTERM");
      expect(await exited).toEqual({ code: null, signal: "SIGTERM" });
      expect(await namespacesOf(runId)).toEqual([]);
      expect(await hostLinksOf(runId)).toEqual([]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
    } finally {
      child.kill("SIGKILL");
      await sweepRun(runId);
    }
  });

  it("refuses a published port that is not one, before creating anything", async () => {
    const runId = uniqueRunId("dockport");
    await expect(
      createTopology({ kind: "docker", runId, publish: [{ protocol: "tcp", hostPorts: [0, 0], containerPort: null }] }),
    ).rejects.toMatchObject({ code: "TOPOLOGY_INVALID_OPTION" });
    expect(await namespacesOf(runId)).toEqual([]);
    expect(fs.existsSync(stateFilePath(runId))).toBe(false);
  });
});
