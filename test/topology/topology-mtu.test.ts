import { afterAll, describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { run } from "../../bench/topology/exec.ts";
import { applyRateLimit } from "../../bench/topology/index.ts";
import { checkTopologySupport } from "../../bench/topology/support.ts";
import type { TopologyKind } from "../../bench/topology/types.ts";
import { echoThrough, namespacesOf, noNetns, skipNote, stopChild, sweepRun, uniqueRunId } from "./helpers.ts";

const docker = await checkTopologySupport("docker");

const KINDS: { kind: TopologyKind; skip: boolean; note: string }[] = [
  { kind: "netns", skip: noNetns, note: skipNote },
  { kind: "bridge", skip: noNetns, note: skipNote },
  { kind: "docker", skip: !docker.ok, note: docker.ok ? "" : ` (skipped: ${docker.reason})` },
];

describe.each(KINDS)("--mtu and --rate-limit on a $kind topology", ({ kind, skip, note }) => {
  const runIds: string[] = [];
  afterAll(async () => {
    for (const runId of runIds) await sweepRun(runId);
  });

  it.skipIf(skip)(`sets the MTU on every link, bridge included, records it, and shapes both eth0s with tbf${note}`, async () => {
    const runId = uniqueRunId(`mtu${kind}`);
    runIds.push(runId);
    const topology = await createTopology({ kind, runId, mtu: 1280, rxSteering: "none" });
    try {
      const info = topology.info;
      expect(info.mtu).toBe(1280);
      for (const iface of info.interfaces) {
        const [dev] = JSON.parse((await run("ip", ["-n", iface.namespace as string, "-j", "link", "show", "dev", iface.name])).stdout) as { mtu: number }[];
        expect([iface.name, iface.mtu, dev?.mtu]).toEqual([iface.name, 1280, 1280]);
      }
      const limit = await applyRateLimit(topology, { rateBitsPerSecond: 50_000_000 });
      expect(limit.interfaces).toEqual([
        { namespace: info.namespaces.server, name: "eth0" },
        { namespace: info.namespaces.client, name: "eth0" },
      ]);
      const { server, client } = await echoThrough(topology);
      await stopChild(server.child);
      await stopChild(client.child);
      expect(client.first["echo"]).toBe("ping");
    } finally {
      await topology.destroy();
    }
    expect(await namespacesOf(runId)).toEqual([]);
  });
});
