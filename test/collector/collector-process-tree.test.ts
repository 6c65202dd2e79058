/**
 * The collector counts a server's (or generator's) whole process tree, as a foreign server needs (nginx's master and
 * workers): the walk over /proc/<pid>/task/<tid>/children on hand-made trees, and a real forking process whose idle
 * parent is counted with its busy child.
 */
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it, onTestFinished } from "vitest";
import { diffSnapshots } from "../../bench/collector/diff-snapshots.ts";
import { MAX_TREE_PROCESSES, parseChildren, processTreeOf, walkProcessTree } from "../../bench/collector/process-tree.ts";
import type { TreeReads } from "../../bench/collector/process-tree.ts";
import { createProcReader } from "../../bench/collector/proc-reader.ts";
import type { SnapshotSpec } from "../../bench/collector/snapshot-types.ts";
import { readSnapshot } from "../../bench/collector/snapshot.ts";

/** A /proc of `threads` (pid → its tids) and `children` ("pid/tid" → its children file). */
function fakeProc(threads: Record<number, string[]>, children: Record<string, string>): TreeReads {
  return {
    tids: (pid) => threads[pid] ?? null,
    children: (pid, tid) => children[`${pid}/${tid}`] ?? null,
  };
}

describe("walking a process tree", () => {
  it("reads a children file as the kernel writes it: pids and a trailing space", () => {
    expect(parseChildren("4242 4250 \n")).toEqual([4242, 4250]);
    expect(parseChildren("")).toEqual([]);
    expect(parseChildren("12 x 0 -3 ")).toEqual([12]);
  });

  it("takes the root, then every descendant breadth first, whichever thread forked it", () => {
    const reads = fakeProc(
      { 10: ["10", "11"], 20: ["20"], 30: ["30"], 40: ["40"] },
      { "10/10": "20 ", "10/11": "30 ", "20/20": "40 ", "30/30": "", "40/40": "" },
    );
    expect(walkProcessTree(10, reads)).toEqual([10, 20, 30, 40]);
  });

  it("leaves out a process that exited between its parent's listing and its own, and follows no pid twice", () => {
    const reads = fakeProc({ 10: ["10"], 30: ["30"] }, { "10/10": "20 30 30 ", "30/30": "10 " });
    expect(walkProcessTree(10, reads)).toEqual([10, 30]);
  });

  it("is empty when the root itself has exited, and stops at MAX_TREE_PROCESSES", () => {
    expect(walkProcessTree(10, fakeProc({}, {}))).toEqual([]);
    // A chain far longer than the cap: pid n forks n + 1.
    const chain: TreeReads = { tids: (pid) => [String(pid)], children: (pid) => `${pid + 1} ` };
    const walked = walkProcessTree(1, chain);
    expect(walked.length).toBe(MAX_TREE_PROCESSES);
    expect(walked.at(-1)).toBe(MAX_TREE_PROCESSES);
  });
});

/** Run time of `pid`'s threads from /proc, ns. */
/**
 * Every thread's run time: the child's loop stops on process.cpuUsage(), which counts all its threads (V8's helpers
 * too), and its main thread alone once held 290 of the 300 ms.
 */
function runNsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "latin1").split(" ")[0]), 0);
}

describe.skipIf(process.platform !== "linux")("a forking process, measured as the server", () => {
  it("counts its child's threads: the parent idles, the child burns, and the tree's run time holds both", async () => {
    // The parent forks one child that burns about 300 ms of CPU after a go line, then both idle until killed.
    const script = `
      const { spawn } = require("node:child_process");
      const child = spawn(process.execPath, ["-e", \`
        process.stdin.once("data", () => {
          const start = process.cpuUsage();
          let x = 0;
          while (process.cpuUsage(start).user + process.cpuUsage(start).system < 300000) x += Math.sqrt(x + 1);
          process.stdout.write("burnt\\\\n");
        });
        setInterval(() => {}, 1000);
      \`], { stdio: ["pipe", "pipe", "inherit"] });
      child.stdout.on("data", (d) => process.stdout.write(d));
      process.stdin.on("data", (d) => child.stdin.write(d));
      process.stdout.write(child.pid + "\\n");
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
    onTestFinished(() => {
      parent.kill("SIGKILL");
    });
    const lines: string[] = [];
    let partial = "";
    const nextLine = (): Promise<string> =>
      new Promise((resolve) => {
        const take = (): void => {
          const line = lines.shift();
          if (line !== undefined) resolve(line);
          else setTimeout(take, 10);
        };
        take();
      });
    parent.stdout.on("data", (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    });
    const childPid = Number(await nextLine());
    onTestFinished(() => {
      try {
        process.kill(childPid, "SIGKILL");
      } catch {
        // already gone with its parent
      }
    });
    const parentPid = parent.pid as number;
    expect(processTreeOf(parentPid)).toEqual([parentPid, childPid]);

    const reader = createProcReader();
    onTestFinished(() => reader.close());
    const spec: SnapshotSpec = { kind: "full", serverPid: parentPid, generatorPid: process.pid, serverNetns: { pid: null, interfaces: ["lo"] } };
    const a = readSnapshot(spec, reader);
    const childBefore = runNsOf(childPid);
    parent.stdin.write("go\n");
    expect(await nextLine()).toBe("burnt");
    const b = readSnapshot(spec, reader);
    const childBurnt = runNsOf(childPid) - childBefore;

    expect(b.processes.server.ok && b.processes.server.value.pids).toEqual([parentPid, childPid]);
    const server = diffSnapshots(a, b).processes.server;
    expect(server.ok).toBe(true);
    if (!server.ok || !server.value.schedstat.ok) return;
    // The child alone burnt at least its 300 ms; the tree holds that and the parent's relaying on top.
    expect(childBurnt).toBeGreaterThanOrEqual(300e6);
    expect(server.value.schedstat.value.runNs).toBeGreaterThanOrEqual(childBurnt);
  });
});
