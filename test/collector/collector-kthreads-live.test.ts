import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSnapshots } from "../../bench/collector/diff-snapshots.ts";
import { findKernelThreads } from "../../bench/collector/kernel-threads.ts";
import { windowTotals } from "../../bench/collector/per-request.ts";
import { createProcReader } from "../../bench/collector/proc-reader.ts";
import type { SnapshotSpec } from "../../bench/collector/snapshot-types.ts";
import { readSnapshot } from "../../bench/collector/snapshot.ts";
import { createTopology } from "../../bench/topology/create-topology.ts";
import type { Topology } from "../../bench/topology/types.ts";
import { echoThrough, noNetns, skipNote, stopChild, sweepRun, uniqueRunId } from "../topology/helpers.ts";

describe.skipIf(noNetns)(`kernel-thread CPU with threaded NAPI in a netns topology${skipNote}`, () => {
  const runId = uniqueRunId("kthr");
  const reader = createProcReader();
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ kind: "netns", runId, rxSteering: "threaded-napi" });
  });
  afterAll(async () => {
    reader.close();
    await topology?.destroy();
    await sweepRun(runId);
  });

  it("finds ksoftirqd of every CPU and the new napi thread when the spec is built, and charges the traffic to it", async () => {
    const [napi] = topology.info.rxSteering.napiThreads ?? [];
    const threads = findKernelThreads();
    expect(threads.filter((t) => t.kind === "ksoftirqd").length).toBeGreaterThanOrEqual(1);
    expect(threads).toContainEqual({ pid: napi?.pid, name: napi?.name, kind: "napi", cpu: null });
    const spec: SnapshotSpec = {
      kind: "full",
      serverPid: null,
      generatorPid: null,
      serverNetns: { pid: topology.anchorPid("server"), interfaces: ["eth0"] },
      clientNetns: { pid: topology.anchorPid("client"), interfaces: ["eth0"] },
      kernelThreads: threads,
    };
    const a = readSnapshot(spec, reader);
    const { server, client } = await echoThrough(topology);
    await stopChild(server.child);
    await stopChild(client.child);
    const b = readSnapshot(spec, reader);
    const lean = readSnapshot({ ...spec, kind: "lean" }, reader);
    expect(lean.kernelThreads).toMatchObject({ ok: false, reason: "lean sample: not read" });
    const totals = windowTotals(diffSnapshots(a, b));
    expect(totals.kernelThreads?.napiUs[napi?.name as string]).toBeGreaterThan(0);
    expect(Object.keys(totals.kernelThreads?.ksoftirqdUs ?? {}).length).toBe(threads.filter((t) => t.kind === "ksoftirqd").length);
    const delta = diffSnapshots(a, b);
    const napiDelta = delta.kernelThreads?.ok ? delta.kernelThreads.value.find((t) => t.pid === napi?.pid) : undefined;
    expect(napiDelta?.lastCpu).toBe(topology.info.serverCpu);
    // The echo's connection was accepted: no listen-queue drops in the server namespace.
    expect(totals.drops?.server?.listenOverflows).toBe(0);
    expect(totals.drops?.client).not.toBeNull();
  });
});
