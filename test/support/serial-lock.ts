/**
 * Setup file of the `serial` tests (test/topology/, faults/crashes): lets them share the workers with the unit files
 * while only one of them runs at a time. Each builds and removes namespaces, or a dead run's leftovers, and then
 * checks that `ip netns list` and /run/wirecost are as before — which another of them running beside it would change.
 *
 * The lock is taken before the test file is even imported (some probe namespaces at import), and given back after its
 * last hook. It is flock(1) on a file, held by a child process: the kernel drops it when that child exits, and the
 * child exits when its stdin closes — so a worker that dies leaves no stale lock. It is machine-wide, so the test
 * runs of two checkouts take turns too.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const LOCK_FILE = join(tmpdir(), "wirecost-serial-tests.lock");

// Workers are reused and this file runs again for each test file: the holder lives on globalThis, so a file that
// ended without its afterAll (an import error) cannot leave this worker waiting for its own lock.
const state = globalThis as { wirecostSerialLock?: ChildProcess };

async function release(): Promise<void> {
  const child = state.wirecostSerialLock;
  state.wirecostSerialLock = undefined;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.stdin?.end();
  await exited;
}

async function acquire(): Promise<void> {
  await release();
  const child = spawn("flock", [LOCK_FILE, "sh", "-c", "echo locked; exec cat >/dev/null"], { stdio: ["pipe", "pipe", "inherit"] });
  state.wirecostSerialLock = child;
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`flock ${LOCK_FILE} exited with ${code} before taking the lock`)));
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error("flock is missing: it is in util-linux, which npm run setup installs") : error),
    );
  });
}

await acquire();
afterAll(release);
