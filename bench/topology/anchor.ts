/**
 * A long-lived `sleep` inside a namespace, whose pid gives the collector `/proc/<pid>/net/*` of that namespace
 * without entering it (docs/kernel-notes.md § "Reading the counters of another namespace").
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import type { Socket } from "node:net";

const POLL_MS = 2;

function inodeOf(file: string): number | null {
  try {
    return fs.statSync(file).ino;
  } catch {
    return null;
  }
}

/**
 * Starts `ip netns exec <ns> sleep infinity` and resolves once the pid really is inside the namespace: until
 * `ip` has called setns() and exec'd, /proc/<pid>/net still shows the parent's namespace. Readiness is checked by
 * comparing the namespace inode of /proc/<pid>/ns/net with the bind mount under /run/netns.
 */
export function startAnchor(namespace: string, timeoutMs: number, onSpawn: (child: ChildProcess) => void): Promise<ChildProcess> {
  const target = inodeOf(`/run/netns/${namespace}`);
  if (target === null) return Promise.reject(new Error(`namespace ${namespace} does not exist`));
  const child = spawn("ip", ["netns", "exec", namespace, "sleep", "infinity"], { stdio: ["ignore", "ignore", "pipe"] });
  // The anchor must not keep the harness's event loop alive; destroy() kills it.
  child.unref();
  onSpawn(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  (child.stderr as Socket | null)?.unref();
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = Date.now() + timeoutMs;
    const fail = (why: string): void => {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      reject(new Error(`anchor \`ip netns exec ${namespace} sleep infinity\` ${why}${stderr === "" ? "" : `: ${stderr.trim()}`}`));
    };
    child.once("error", (err) => fail(`could not start (${err.message})`));
    child.once("exit", (code, signal) => fail(`exited early (${signal ?? `code ${code}`})`));
    const poll = (): void => {
      if (child.pid !== undefined && inodeOf(`/proc/${child.pid}/ns/net`) === target) {
        child.removeAllListeners("exit");
        child.removeAllListeners("error");
        child.on("error", () => {});
        resolve(child);
      } else if (Date.now() > deadline) {
        fail(`did not enter the namespace within ${timeoutMs} ms`);
      } else {
        timer = setTimeout(poll, POLL_MS);
      }
    };
    timer = setTimeout(poll, 0);
  });
}
