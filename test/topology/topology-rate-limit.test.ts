import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { run } from "../../bench/topology/exec.ts";
import { applyRateLimit, removeRateLimit } from "../../bench/topology/index.ts";
import type { Topology } from "../../bench/topology/types.ts";
import { namespacesOf, noNetns, skipNote, sweepRun, uniqueRunId } from "./helpers.ts";

interface Qdisc {
  kind: string;
  root?: boolean;
  options?: { rate?: number };
}

async function rootQdiscs(topology: Topology): Promise<(Qdisc | undefined)[]> {
  const out: (Qdisc | undefined)[] = [];
  for (const ns of [topology.info.namespaces.server, topology.info.namespaces.client]) {
    const list = JSON.parse((await run("tc", ["-n", ns as string, "-j", "qdisc", "show", "dev", "eth0"])).stdout) as Qdisc[];
    out.push(list.find((q) => q.root === true));
  }
  return out;
}

describe.skipIf(noNetns)(`a tbf rate limit${skipNote}`, () => {
  const runId = uniqueRunId("tbf");
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ kind: "netns", runId });
  });
  afterAll(async () => {
    await topology?.destroy();
    await sweepRun(runId);
  });

  it("is applied to both eth0s' egress, recorded, and removed again", async () => {
    const info = await applyRateLimit(topology, { rateBitsPerSecond: 10_000_000 });
    expect(info).toEqual({
      qdisc: "tbf",
      rateBitsPerSecond: 10_000_000,
      burstBytes: 32_768,
      latencyMs: 50,
      interfaces: [
        { namespace: topology.info.namespaces.server, name: "eth0" },
        { namespace: topology.info.namespaces.client, name: "eth0" },
      ],
    });
    expect(topology.info.rateLimit).toEqual(info);
    for (const q of await rootQdiscs(topology)) {
      expect(q?.kind).toBe("tbf");
      expect((q?.options?.rate ?? 0) * 8).toBe(10_000_000);
    }
    await removeRateLimit(topology);
    expect(topology.info.rateLimit).toBeNull();
    for (const q of await rootQdiscs(topology)) expect(q?.kind).not.toBe("tbf");
  });

  it("replaces an earlier limit, and goes away with the namespaces on destroy", async () => {
    await applyRateLimit(topology, { rateBitsPerSecond: 5_000_000 });
    await applyRateLimit(topology, { rateBitsPerSecond: 100_000_000, latencyMs: 20 });
    expect(topology.info.rateLimit?.burstBytes).toBe(125_000);
    for (const q of await rootQdiscs(topology)) expect((q?.options?.rate ?? 0) * 8).toBe(100_000_000);
    await topology.destroy();
    expect(await namespacesOf(runId)).toEqual([]);
  });
});

describe("a rate limit on loopback", () => {
  it("is refused, since it would shape the host's lo", async () => {
    const topology = await createTopology({ kind: "loopback", runId: uniqueRunId("lotbf") });
    await expect(applyRateLimit(topology, { rateBitsPerSecond: 1_000_000 })).rejects.toMatchObject({
      code: "TOPOLOGY_INVALID_OPTION",
    });
    await topology.destroy();
  });
});
