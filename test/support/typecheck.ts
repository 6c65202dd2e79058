/**
 * Global setup of `npm test`: the type check (`tsc -p .`) runs beside the first group of test files instead of
 * before all of them: one process on one core for a few seconds, over long before the measuring files start. A type
 * error fails the run with tsc's own output.
 * Only `npm test` asks for it (WIRECOST_TYPECHECK=1), so `npx vitest run <file>` stays quick; `npm run typecheck`
 * runs tsc alone.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// tsc's incremental state, one per checkout: a run after a small change re-checks only what the change reaches
// (about 4 s of CPU instead of 10). tsc decides what to re-check from the files' contents, so a stale state is safe.
const BUILD_INFO = join(tmpdir(), `wirecost-tsc-${createHash("sha256").update(ROOT).digest("hex").slice(0, 12)}.tsbuildinfo`);

export default function setup(): (() => Promise<void>) | undefined {
  if (process.env.WIRECOST_TYPECHECK !== "1") return undefined;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const child = spawn(process.execPath, [tsc, "-p", ROOT, "--incremental", "--tsBuildInfoFile", BUILD_INFO], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  return async () => {
    const [code, signal] = await exited;
    if (code === 0) return;
    const error = new Error(`tsc -p . failed (${signal ?? `exit code ${code}`}):\n${output}`);
    error.stack = error.message; // tsc's output says where; a stack of this file would not
    throw error;
  };
}
