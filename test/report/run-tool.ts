/**
 * Runs a tool's `main` in this process, as its bin.ts does, and checks the one-line usage error contract. In-process
 * spares a node start-up per case (most of these tests' time); test/cli/npm-scripts-cli.test.ts spawns every bin,
 * so that bin.ts passes the exit code and the output on is checked there.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { main as codecMain } from "../../bench/codec/cli.ts";
import { main as compareMain } from "../../bench/compare/cli.ts";
import { main as planMain } from "../../bench/plan/cli.ts";
import { main as reportMain } from "../../bench/report/cli.ts";
import type { ToolIo } from "../../bench/support/tool-cli.ts";

export type Tool = "report" | "compare" | "plan" | "codec";

const MAINS: Record<Tool, (argv: readonly string[], io: ToolIo) => Promise<number>> = {
  report: reportMain,
  compare: compareMain,
  plan: planMain,
  codec: codecMain,
};

export interface ToolRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runToolMain(tool: Tool, args: readonly string[]): Promise<ToolRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = { stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) }, env: { ...process.env, NO_COLOR: "1" } };
  const status = await MAINS[tool](args, io);
  return { status, stdout: stdout.join(""), stderr: stderr.join("") };
}

export function expectUsageError(r: ToolRun, expected: string): void {
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
