/** Runs a CLI's bin file as a user would (a child node process) and checks the one-line usage error contract. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export type Tool = "report" | "compare" | "plan" | "codec";

export function runBin(tool: Tool, args: readonly string[]) {
  const bin = fileURLToPath(new URL(`../../bench/${tool}/bin.ts`, import.meta.url));
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
}

export function expectUsageError(r: ReturnType<typeof runBin>, expected: string): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toContain(expected);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe("");
}

/** A directory holding a result.json with `content`, for the "not a result" cases. */
export function dirWithResult(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "wirecost-not-a-result-"));
  writeFileSync(join(dir, "result.json"), content);
  return dir;
}
