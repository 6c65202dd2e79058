import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { cleanupLeftovers, findLeftovers } from "../../bench/topology/cleanup.ts";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { run } from "../../bench/topology/exec.ts";
import { type RunState, stateFilePath } from "../../bench/topology/state.ts";
import type { Topology } from "../../bench/topology/types.ts";
import { namespacesOf, noNetns, skipNote, sweepRun, uniqueRunId } from "./helpers.ts";

/** The pid of a process that has exited (and been reaped). */
function deadPid(): Promise<number> {
  const child = spawn("true");
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", () => resolve(child.pid as number));
  });
}

function rewriteOwner(topology: Topology, owner: Partial<RunState>): void {
  const file = topology.info.stateFile as string;
  const state = JSON.parse(fs.readFileSync(file, "utf8")) as RunState;
  fs.writeFileSync(file, JSON.stringify({ ...state, ...owner }));
}

describe.skipIf(noNetns)(`leftovers of runs whose owner is gone${skipNote}`, () => {
  it("reports a run whose harness pid is dead, removes it, and leaves a live run alone", async () => {
    const dead = uniqueRunId("dead");
    const alive = uniqueRunId("alive");
    const orphan = await createTopology({ kind: "netns", runId: dead });
    const live = await createTopology({ kind: "netns", runId: alive });
    try {
      const pid = await deadPid();
      rewriteOwner(orphan, { ownerPid: pid });
      const leftovers = await findLeftovers();
      expect(leftovers.filter((l) => l.runId === alive)).toEqual([]);
      const mine = leftovers.filter((l) => l.runId === dead);
      expect(mine).toEqual([
        {
          runId: dead,
          reason: "owner-dead",
          ownerPid: pid,
          namespaces: [`wirecost-${dead}-srv`, `wirecost-${dead}-cli`].sort(),
          hostLinks: [],
          stateFile: stateFilePath(dead),
        },
      ]);
      const anchors = [orphan.anchorPid("server"), orphan.anchorPid("client")];
      const report = await cleanupLeftovers(mine);
      expect(report).toEqual({ removed: mine, failures: [] });
      expect(await namespacesOf(dead)).toEqual([]);
      expect(fs.existsSync(stateFilePath(dead))).toBe(false);
      // The processes inside were killed, not only the names removed.
      for (const a of anchors) {
        const stat = fs.existsSync(`/proc/${a}/stat`) ? fs.readFileSync(`/proc/${a}/stat`, "utf8") : ") Z";
        expect(stat.split(") ")[1]?.[0]).toBe("Z");
      }
      expect((await namespacesOf(alive)).sort()).toEqual([`wirecost-${alive}-cli`, `wirecost-${alive}-srv`]);
      // Destroying the cleaned-up topology is still fine: everything is already gone.
      await orphan.destroy();
    } finally {
      await orphan.destroy().catch(() => {});
      await live.destroy();
      await sweepRun(dead);
      await sweepRun(alive);
    }
  });

  it("treats a live pid with another start time as reused, so its run is a leftover", async () => {
    const runId = uniqueRunId("reuse");
    const topology = await createTopology({ kind: "netns", runId });
    try {
      const state = JSON.parse(fs.readFileSync(stateFilePath(runId), "utf8")) as RunState;
      expect(state.ownerPid).toBe(process.pid);
      rewriteOwner(topology, { ownerStartTime: (state.ownerStartTime ?? 0) + 1 });
      const mine = (await findLeftovers()).filter((l) => l.runId === runId);
      expect(mine.map((l) => [l.reason, l.ownerPid])).toEqual([["owner-pid-reused", process.pid]]);
    } finally {
      await topology.destroy();
      await sweepRun(runId);
    }
  });

  it("reports a wirecost namespace no state file claims, with the run id its name carries", async () => {
    const runId = uniqueRunId("nostate");
    const ns = `wirecost-${runId}-srv`;
    await run("ip", ["netns", "add", ns]);
    try {
      const mine = (await findLeftovers()).filter((l) => l.runId === runId);
      expect(mine).toEqual([
        { runId, reason: "no-state-file", ownerPid: null, namespaces: [ns], hostLinks: [], stateFile: null },
      ]);
      expect((await cleanupLeftovers(mine)).removed).toEqual(mine);
      expect(await namespacesOf(runId)).toEqual([]);
    } finally {
      await sweepRun(runId);
    }
  });
});
