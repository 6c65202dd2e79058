import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { checkTopologySupport } from "../../bench/topology/support.ts";
import type { Topology, TopologyKind } from "../../bench/topology/types.ts";
import { cpusAllowedList, echoThrough, noNetns, skipNote, stopChild, sweepRun, uniqueRunId } from "./helpers.ts";

const docker = await checkTopologySupport("docker");

function runNs(pid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);
}

/** Field 39 of /proc/<pid>/stat: the CPU the task last ran on. */
function lastCpu(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[39 - 3]);
}

const KINDS: { kind: TopologyKind; skip: boolean; note: string }[] = [
  { kind: "netns", skip: noNetns, note: skipNote },
  { kind: "docker", skip: !docker.ok, note: docker.ok ? "" : ` (skipped: ${docker.reason})` },
];

describe.each(KINDS)("threaded NAPI on the server eth0 of a $kind topology", ({ kind, skip, note }) => {
  const runId = uniqueRunId(`napi${kind}`);
  let topology: Topology;
  beforeAll(async () => {
    if (!skip) topology = await createTopology({ kind, runId, rxSteering: "threaded-napi" });
  });
  afterAll(async () => {
    await topology?.destroy();
    await sweepRun(runId);
  });

  it.skipIf(skip)(`takes veth's NAPI path and makes a napi/eth0-<id> thread pinned to the server CPU${note}`, () => {
    const info = topology.info;
    expect(info.rxSteering.mode).toBe("threaded-napi");
    expect(info.rxSteering.threaded).toBe(1);
    expect(info.rxSteering.rpsCpus).toBeNull();
    const threads = info.rxSteering.napiThreads ?? [];
    expect(threads.length).toBe(1);
    for (const t of threads) {
      expect(t.name).toMatch(/^napi\/eth0-\d+$/);
      expect(fs.readFileSync(`/proc/${t.pid}/comm`, "utf8").trim()).toBe(t.name);
      expect(t.cpus).toBe(String(info.serverCpu));
      expect(cpusAllowedList(t.pid)).toBe(String(info.serverCpu));
    }
    const server = info.interfaces.find((i) => i.role === "server");
    const sender = kind === "netns" ? info.interfaces.find((i) => i.role === "client") : info.interfaces.find((i) => i.name === "veth-srv");
    expect(server?.offloads?.gro).toBe(true);
    expect(sender?.offloads?.tso).toBe(false);
    expect(info.rxSteering.tsoOffOn).toBe(`${sender?.namespace}/${sender?.name}`);
  });

  it.skipIf(skip)(`runs the server's receive work in that thread, on the server CPU, once traffic flows${note}`, async () => {
    const [thread] = topology.info.rxSteering.napiThreads ?? [];
    const pid = thread?.pid as number;
    const before = runNs(pid);
    const { server, client } = await echoThrough(topology);
    await stopChild(server.child);
    await stopChild(client.child);
    expect(client.first["echo"]).toBe("ping");
    expect(runNs(pid)).toBeGreaterThan(before);
    expect(lastCpu(pid)).toBe(topology.info.serverCpu);
  });

  it.skipIf(skip)(`loses the thread with the namespace on destroy${note}`, async () => {
    const pids = (topology.info.rxSteering.napiThreads ?? []).map((t) => t.pid);
    await topology.destroy();
    // The kthread is stopped when the device is unregistered (netif_napi_del); that may trail `ip netns del`.
    const deadline = Date.now() + 5000;
    while (pids.some((p) => fs.existsSync(`/proc/${p}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pids.filter((p) => fs.existsSync(`/proc/${p}`))).toEqual([]);
  });
});
