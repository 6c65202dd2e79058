/**
 * Setup file of the topology tests: lets them share the two workers with the unit files while only one of them
 * runs at a time. Each builds and removes namespaces and then checks that `ip netns list` and /run/wirecost are as
 * before, which another topology file running beside it would change.
 *
 * The lock is flock(1) on a file, held by a child process for as long as the file runs: the kernel drops it when
 * that child exits, and the child exits when its stdin closes — so a worker that dies cannot leave a stale lock.
 * It is machine-wide, so two checkouts' test runs also take turns.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

const LOCK_FILE = join(tmpdir(), "wirecost-namespace-tests.lock");

let holder: ChildProcess | undefined;

beforeAll(async () => {
  const child = spawn("flock", [LOCK_FILE, "sh", "-c", "echo locked; exec cat >/dev/null"], { stdio: ["pipe", "pipe", "inherit"] });
  holder = child;
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`flock ${LOCK_FILE} exited with ${code} before taking the lock`)));
    child.once("error", reject);
  });
  await locked;
});

afterAll(async () => {
  const child = holder;
  holder = undefined;
  if (child === undefined || child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.stdin?.end();
  await exited;
});
