import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { run } from "../../bench/topology/exec.ts";
import type { Topology } from "../../bench/topology/types.ts";
import { echoThrough, hostLinksOf, namespaceNames, namespacesOf, noNetns, skipNote, stopChild, sweepRun, uniqueRunId } from "./helpers.ts";

describe.skipIf(noNetns)(`a bridge topology${skipNote}`, () => {
  const runId = uniqueRunId("bridge");
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ kind: "bridge", runId });
  });
  afterAll(async () => {
    await topology?.destroy();
    await sweepRun(runId);
  });

  it("creates server, client and bridge namespaces with both veth ports enslaved to br0", async () => {
    const { namespaces } = topology.info;
    expect(namespaces).toEqual({
      server: `wirecost-${runId}-srv`,
      client: `wirecost-${runId}-cli`,
      bridge: `wirecost-${runId}-br`,
    });
    expect((await namespacesOf(runId)).sort()).toEqual(
      [namespaces.server, namespaces.client, namespaces.bridge].sort(),
    );
    const ports = JSON.parse(
      (await run("ip", ["-n", namespaces.bridge as string, "-j", "link", "show", "master", "br0"])).stdout,
    ) as { ifname: string; operstate: string }[];
    expect(ports.map((p) => p.ifname).sort()).toEqual(["veth-cli", "veth-srv"]);
    expect(topology.info.interfaces.map((i) => [i.role, i.namespace, i.name])).toEqual([
      ["server", namespaces.server, "eth0"],
      ["client", namespaces.client, "eth0"],
      ["bridge-port", namespaces.bridge, "veth-srv"],
      ["bridge-port", namespaces.bridge, "veth-cli"],
      ["bridge", namespaces.bridge, "br0"],
    ]);
  });

  it("carries TCP from the client namespace through the bridge to the server namespace", async () => {
    const { server, client } = await echoThrough(topology);
    await stopChild(server.child);
    await stopChild(client.child);
    expect(client.first["echo"]).toBe("ping");
    // The frames really crossed the bridge: its ports counted them.
    const stats = JSON.parse(
      (await run("ip", ["-n", topology.info.namespaces.bridge as string, "-j", "-s", "link", "show", "dev", "veth-srv"])).stdout,
    ) as { stats64: { rx: { packets: number }; tx: { packets: number } } }[];
    expect(stats[0]?.stats64.rx.packets).toBeGreaterThan(0);
    expect(stats[0]?.stats64.tx.packets).toBeGreaterThan(0);
  });

  it("removes all three namespaces and every veth on destroy", async () => {
    await topology.destroy();
    expect(await namespacesOf(runId)).toEqual([]);
    expect((await namespaceNames()).filter((n) => n.includes(runId))).toEqual([]);
    expect(await hostLinksOf(runId)).toEqual([]);
  });
});
