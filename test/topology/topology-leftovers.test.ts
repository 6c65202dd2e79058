import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { main as cleanupMain } from "../../bench/cleanup/cli.ts";
import { startBench } from "../faults/bench-process.ts";
import { cleanupLeftovers, findLeftovers } from "../../bench/topology/cleanup.ts";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { run } from "../../bench/topology/exec.ts";
import { hostNamespaceRefusal } from "../../bench/topology/undo.ts";
import { makeRunId } from "../../bench/run/run.ts";
import { type RunState, stateFilePath } from "../../bench/topology/state.ts";
import type { Topology } from "../../bench/topology/types.ts";
import { hostLinkNames, namespaceNames, namespacesOf, noNetns, skipNote, sweepRun, uniqueRunId } from "./helpers.ts";

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

  it("lists a namespace named as wirecost names its runs that no state file claims, and removes it only when forced", async () => {
    // A run id of the form npm run bench makes (bench/run/run.ts makeRunId); a crash before the state file leaves these.
    const runId = makeRunId(new Date(), randomBytes(2).toString("hex"));
    const ns = `wirecost-${runId}-srv`;
    await run("ip", ["netns", "add", ns]);
    try {
      const mine = (await findLeftovers()).filter((l) => l.runId === runId);
      expect(mine).toEqual([
        { runId, reason: "no-state-file", ownerPid: null, namespaces: [ns], hostLinks: [], stateFile: null },
      ]);
      expect(await cleanupLeftovers(mine)).toEqual({ removed: [], failures: [] });
      expect(await namespacesOf(runId)).toEqual([ns]);
      // npm run cleanup says so, and leaves it too.
      const said: string[] = [];
      expect(await cleanupMain([], { stdout: { write: (t: string) => said.push(t) }, stderr: { write: () => true } })).toBe(0);
      expect(said.join("")).toContain(`left alone ${ns}: named as wirecost names its runs, but no state file claims them; npm run cleanup -- --force removes them\n`);
      expect(await namespacesOf(runId)).toEqual([ns]);
      expect((await cleanupLeftovers(mine, { force: true })).removed).toEqual(mine);
      expect(await namespacesOf(runId)).toEqual([]);
    } finally {
      await sweepRun(runId);
    }
  });

  it("never lists, nor removes even when forced, a namespace or link that only shares the prefix: a run and npm run cleanup leave them", async () => {
    const ns = `wirecost-mine-${process.pid}`;
    const link = `wc-mine${process.pid % 10_000}`;
    try {
      await run("ip", ["netns", "add", ns]);
      // A veth pair (deleting one end deletes both): the kernel here has no dummy links.
      await run("ip", ["link", "add", link, "type", "veth", "peer", "name", `mine${process.pid % 10_000}p`]);
      const all = await findLeftovers();
      expect(all.flatMap((l) => [...l.namespaces, ...l.hostLinks]).filter((n) => n === ns || n === link)).toEqual([]);
      // A whole run, which cleans up before it starts, then npm run cleanup, plain and forced.
      const out = mkdtempSync(join(tmpdir(), "wirecost-ownership-"));
      onTestFinished(() => rmSync(out, { recursive: true, force: true }));
      const bench = startBench(["--protocols", "http1", "--rps", "200", "--duration", "300ms", "--warmup", "0s", "--baseline", "0s", "--prime", "0", "--topology", "netns", "--kernel-time", "tick", "--out", out]);
      expect((await bench.exited).code, bench.stderr()).toBe(0);
      const io = { stdout: { write: () => true }, stderr: { write: () => true } };
      expect(await cleanupMain([], io)).toBe(0);
      expect(await cleanupMain(["--force"], io)).toBe(0);
      expect((await namespaceNames()).includes(ns)).toBe(true);
      expect((await hostLinkNames()).includes(link)).toBe(true);
    } finally {
      await run("ip", ["link", "del", link]).catch(() => {});
      await run("ip", ["netns", "del", ns]).catch(() => {});
    }
  });

  it("refuses to act in a wirecost-named namespace bound to the host's own network namespace", async () => {
    const runId = makeRunId(new Date(), randomBytes(2).toString("hex"));
    const ns = `wirecost-${runId}-srv`;
    // `ip netns attach` binds a name to an existing namespace, here this process's, which is the host's when the test
    // runs there (binding pid 1's is refused in some containers); `ip netns del` only unbinds the name.
    try {
      await run("ip", ["netns", "attach", ns, String(process.pid)]);
      expect(hostNamespaceRefusal(ns)).toBe(`refusing to act in namespace ${ns}: it is the host's own network namespace, not one wirecost made`);
    } finally {
      await run("ip", ["netns", "del", ns]).catch(() => {});
    }
    // A namespace of its own is acted in as before.
    const own = `wirecost-${makeRunId(new Date(), randomBytes(2).toString("hex"))}-cli`;
    try {
      await run("ip", ["netns", "add", own]);
      expect(hostNamespaceRefusal(own)).toBeNull();
    } finally {
      await run("ip", ["netns", "del", own]).catch(() => {});
    }
  });
});
