import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contaminationGuard } from "../../bench/collector/contamination-guard.ts";
import { diffSnapshots } from "../../bench/collector/diff-snapshots.ts";
import { windowTotals } from "../../bench/collector/per-request.ts";
import { createProcReader } from "../../bench/collector/proc-reader.ts";
import type { SnapshotSpec } from "../../bench/collector/snapshot-types.ts";
import { readSnapshot } from "../../bench/collector/snapshot.ts";
import { need } from "../../bench/collector/reading.ts";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { checkTopologySupport } from "../../bench/topology/support.ts";
import type { Topology } from "../../bench/topology/types.ts";
import { echoThrough, stopChild, sweepRun, uniqueRunId } from "../topology/helpers.ts";

const support = await checkTopologySupport("docker");

describe.skipIf(!support.ok)(`counters of a docker topology${support.ok ? "" : ` (skipped: ${support.reason})`}`, () => {
  const runId = uniqueRunId("colldock");
  const reader = createProcReader();
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ kind: "docker", runId, rxSteering: "none" });
  });
  afterAll(async () => {
    reader.close();
    await topology?.destroy();
    await sweepRun(runId);
  });

  it("reads the bridge ports through the host anchor, which receive exactly what both eth0s send", async () => {
    const spec: SnapshotSpec = {
      kind: "full",
      serverPid: null,
      generatorPid: null,
      serverNetns: { pid: topology.anchorPid("server"), interfaces: ["eth0"] },
      clientNetns: { pid: topology.anchorPid("client"), interfaces: ["eth0"] },
      bridgeNetns: { pid: topology.bridgeAnchorPid(), interfaces: ["veth-srv", "veth-cli", "docker0"] },
    };
    const a = readSnapshot(spec, reader);
    const { server, client } = await echoThrough(topology);
    await stopChild(server.child);
    await stopChild(client.child);
    const b = readSnapshot(spec, reader);
    const delta = diffSnapshots(a, b);
    const bridge = delta.bridge;
    if (bridge == null || delta.client === null) throw new Error("bridge or client namespace not read");
    const dev = (ns: typeof bridge, name: string) => need(ns.interfaces[name] ?? { ok: false, value: null, reason: "absent" }, name);
    const sent = dev(delta.server, "eth0").txPackets + dev(delta.client, "eth0").txPackets;
    expect(sent).toBeGreaterThanOrEqual(6);
    expect(dev(bridge, "veth-srv").rxPackets + dev(bridge, "veth-cli").rxPackets).toBe(sent);
    // DNATed packets are bridged by br_netfilter, not passed up through docker0.
    expect(dev(bridge, "docker0").rxPackets).toBe(0);
    const guard = contaminationGuard(delta);
    expect(guard.runRxPackets).toBe(dev(delta.server, "eth0").rxPackets + dev(delta.client, "eth0").rxPackets + sent);
    // The host namespace routed nothing itself: the request was bridged after DNAT.
    expect(need(bridge.snmp, "host snmp")["Ip"]?.["ForwDatagrams"]).toBe(0);
    expect(windowTotals(delta).drops?.server?.listenOverflows).toBe(0);
  });
});
