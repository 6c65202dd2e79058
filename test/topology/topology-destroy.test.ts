import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { run } from "../../bench/topology/exec.ts";
import { hostLinkName } from "../../bench/topology/naming.ts";
import { destroyAllTopologiesSync } from "../../bench/topology/resources.ts";
import { stateFilePath } from "../../bench/topology/state.ts";
import { TopologyError } from "../../bench/topology/types.ts";
import { hostLinkNames, hostLinksOf, namespacesOf, noNetns, skipNote, sweepRun, uniqueRunId } from "./helpers.ts";

async function rejection(promise: Promise<unknown>): Promise<TopologyError> {
  const outcome = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(TopologyError);
  return outcome as TopologyError;
}

describe.skipIf(noNetns)(`destroying a topology${skipNote}`, () => {
  it("is idempotent, whether called twice at once, again later, or synchronously afterwards", async () => {
    const runId = uniqueRunId("idem");
    try {
      const topology = await createTopology({ kind: "bridge", runId });
      await Promise.all([topology.destroy(), topology.destroy()]);
      await topology.destroy();
      topology.destroySync();
      expect(await namespacesOf(runId)).toEqual([]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
      expect(() => topology.command("server", ["true"])).toThrow(/destroyed/);
    } finally {
      await sweepRun(runId);
    }
  });

  it("removes what a create made before it failed, and leaves an existing namespace of the same name alone", async () => {
    const runId = uniqueRunId("clash");
    const foreign = `wirecost-${runId}-cli`;
    await run("ip", ["netns", "add", foreign]);
    try {
      const err = await rejection(createTopology({ kind: "netns", runId }));
      expect(err.code).toBe("TOPOLOGY_SETUP_FAILED");
      expect(err.message).toContain(`ip netns add ${foreign}`);
      expect(await namespacesOf(runId)).toEqual([foreign]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
    } finally {
      await run("ip", ["netns", "del", foreign]);
      await sweepRun(runId);
    }
  });

  it("removes both namespaces when the veth step fails on a host link name collision", async () => {
    const runId = uniqueRunId("vclash");
    const foreign = hostLinkName(runId, "c");
    await run("ip", ["link", "add", foreign, "type", "bridge"]);
    try {
      const err = await rejection(createTopology({ kind: "netns", runId }));
      expect(err.code).toBe("TOPOLOGY_SETUP_FAILED");
      expect(err.message).toMatch(/ip link add .* type veth/);
      expect(await namespacesOf(runId)).toEqual([]);
      expect(await hostLinksOf(runId)).toEqual([foreign]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
    } finally {
      await run("ip", ["link", "del", foreign]);
      await sweepRun(runId);
    }
    expect((await hostLinkNames()).includes(foreign)).toBe(false);
  });

  it("stops a create that is destroyed half-way (as by a signal handler) and leaves nothing", async () => {
    const runId = uniqueRunId("abort");
    const first = `wirecost-${runId}-srv`;
    try {
      let destroyed = false;
      const watcher = fs.watch("/run/netns", () => {
        if (!destroyed && fs.existsSync(`/run/netns/${first}`)) {
          destroyed = true;
          expect(destroyAllTopologiesSync()).toEqual([]);
        }
      });
      const err = await rejection(createTopology({ kind: "bridge", runId }).finally(() => watcher.close()));
      expect(destroyed).toBe(true);
      expect(err.code).toBe("TOPOLOGY_ABORTED");
      expect(await namespacesOf(runId)).toEqual([]);
      expect(await hostLinksOf(runId)).toEqual([]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
    } finally {
      await sweepRun(runId);
    }
  });
});
