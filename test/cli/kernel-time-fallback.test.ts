/**
 * `npm run bench -- --kernel-time ebpf` on a machine without bpftrace (issue 15): refused as a usage error — exit 2,
 * one line naming the flag and the fix — before anything exists, so there is nothing to clean up. It asks for a
 * network namespace (`--topology netns`) and a fresh --out directory, the two things a run makes first.
 *
 * A serial file (vitest.config.ts): it compares `ip netns list` and /run/wirecost before and after, which a topology
 * test running beside it would change.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { STATE_DIR } from "../../bench/topology/state.ts";
import { pathWithout } from "../support/path-without.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));

function namespaces(): string[] {
  return execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").filter((l) => l !== "");
}

function stateEntries(): string[] {
  return existsSync(STATE_DIR) ? readdirSync(STATE_DIR) : [];
}

// eBPF's first requirement is root (bench/collector/ebpf/availability.ts): elsewhere the refusal names root, not bpftrace.
const notRoot = process.getuid?.() !== 0;

describe("bench CLI: --kernel-time ebpf without bpftrace", () => {
  it.skipIf(notRoot)(
    `exits 2 with one line naming --kernel-time and apt-get install bpftrace, and creates nothing${notRoot ? " (skipped: needs root)" : ""}`,
    () => {
      const tools = pathWithout(["bpftrace"]);
      onTestFinished(tools.remove);
      // The premise: bpftrace is the only thing missing — unshare, checked right after it, is still there.
      expect(existsSync(join(tools.dir, "bpftrace"))).toBe(false);
      expect(existsSync(join(tools.dir, "unshare"))).toBe(true);
      const parent = mkdtempSync(join(tmpdir(), "wirecost-fallback-"));
      onTestFinished(() => rmSync(parent, { recursive: true, force: true }));
      const out = join(parent, "results");
      const before = { namespaces: namespaces(), state: stateEntries() };

      // One short protocol and a time limit: were the refusal ever lost, this would be a small run, not a default one.
      const args = [BIN, "--kernel-time", "ebpf", "--topology", "netns", "--protocols", "http1", "--duration", "1s", "--out", out];
      const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 30_000, env: { ...process.env, PATH: tools.dir, NO_COLOR: "1" } });

      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        "wirecost: --kernel-time ebpf: bpftrace is not installed; apt-get install bpftrace (npm run setup installs it), or use --kernel-time tick\n",
      );
      expect(r.stdout).toBe("");
      // Not even the --out directory: the refusal comes before the first thing a run makes.
      expect(readdirSync(parent)).toEqual([]);
      expect(namespaces()).toEqual(before.namespaces);
      expect(stateEntries()).toEqual(before.state);
    },
  );
});
