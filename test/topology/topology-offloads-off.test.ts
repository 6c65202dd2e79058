import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { offloadStateOf, parseEthtoolFeatures } from "../../bench/topology/ethtool.ts";
import { run } from "../../bench/topology/exec.ts";
import type { Topology } from "../../bench/topology/types.ts";
import { echoThrough, noNetns, skipNote, stopChild, sweepRun, uniqueRunId } from "./helpers.ts";

describe.skipIf(noNetns)(`offloads "off"${skipNote}`, () => {
  const runId = uniqueRunId("offl");
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ kind: "netns", runId, offloads: "off", mtu: 9000, rxSteering: "none" });
  });
  afterAll(async () => {
    await topology?.destroy();
    await sweepRun(runId);
  });

  it("turns TSO, GSO and GRO off on both eth0s, as ethtool -k shows, and records it", async () => {
    expect(topology.info.offloadMode).toBe("off");
    for (const iface of topology.info.interfaces) {
      const text = (await run("ip", ["netns", "exec", iface.namespace as string, "ethtool", "-k", "eth0"])).stdout;
      expect(offloadStateOf(parseEthtoolFeatures(text))).toEqual({ tso: false, gso: false, gro: false });
      expect(iface.offloads).toEqual({ tso: false, gso: false, gro: false });
    }
  });

  it("applies the requested MTU and leaves rps_cpus alone with steering none", async () => {
    expect(topology.info.interfaces.map((i) => i.mtu)).toEqual([9000, 9000]);
    expect(topology.info.rxSteering).toEqual({ mode: "none", rpsCpus: null });
    const { server, client } = await echoThrough(topology);
    await stopChild(server.child);
    await stopChild(client.child);
    expect(client.first["echo"]).toBe("ping");
  });
});
