import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stateFilePath } from "../../bench/topology/state.ts";
import { hostLinksOf, namespacesOf, noNetns, skipNote, sweepRun, uniqueRunId } from "./helpers.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/hold-topology.ts", import.meta.url));

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** Resolves with the first stdout line whose JSON has `key`. */
function lineWith(child: ChildProcess, key: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (key in parsed) resolve(parsed);
    });
    child.once("exit", (code, signal) => reject(new Error(`fixture exited (${signal ?? code}) before printing ${key}`)));
  });
}

/** Resolves once /run/netns/<name> exists. */
function namespaceAppears(name: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = fs.watch("/run/netns", () => {
      if (fs.existsSync(`/run/netns/${name}`)) {
        watcher.close();
        resolve();
      }
    });
    if (fs.existsSync(`/run/netns/${name}`)) {
      watcher.close();
      resolve();
    }
  });
}

describe.skipIf(noNetns)(`a process holding a topology, signalled${skipNote}`, () => {
  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)("removes every namespace on %s and then dies of that signal", async (sig) => {
    const runId = uniqueRunId("sig");
    const child = spawn(process.execPath, [FIXTURE, runId, "bridge", "after-create"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const ready = await lineWith(child, "ready");
      expect((await namespacesOf(runId)).length).toBe(3);
      expect(ready["namespaces"]).toMatchObject({ server: `wirecost-${runId}-srv` });
      child.kill(sig);
      expect(await exited(child)).toEqual({ code: null, signal: sig });
      expect(await namespacesOf(runId)).toEqual([]);
      expect(await hostLinksOf(runId)).toEqual([]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
    } finally {
      child.kill("SIGKILL");
      await sweepRun(runId);
    }
  });

  it("removes a topology that was still being created when SIGTERM came", async () => {
    const runId = uniqueRunId("sigc");
    const child = spawn(process.execPath, [FIXTURE, runId, "bridge", "during-create"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await lineWith(child, "creating");
      await namespaceAppears(`wirecost-${runId}-srv`);
      child.kill("SIGTERM");
      expect(await exited(child)).toEqual({ code: null, signal: "SIGTERM" });
      expect(await namespacesOf(runId)).toEqual([]);
      expect(await hostLinksOf(runId)).toEqual([]);
      expect(fs.existsSync(stateFilePath(runId))).toBe(false);
    } finally {
      child.kill("SIGKILL");
      await sweepRun(runId);
    }
  });
});
