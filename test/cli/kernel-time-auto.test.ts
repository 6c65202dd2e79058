/**
 * `npm run bench -- --kernel-time auto` on a machine without bpftrace (issue 15): the run goes on with the tick
 * method, warns once with the reason and the fix, and records both in result.json — in the run's warnings and in each
 * scenario's `kernelTime`. A short real run on loopback; no assertion rests on a counter, so it runs beside the unit
 * files (vitest.config.ts).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import type { RunResult } from "../../bench/results/schema.ts";
import { pathWithout } from "../support/path-without.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));

const REASON = "bpftrace is not installed";
const FIX = "apt-get install bpftrace (npm run setup installs it)";
const WARNING = `warning: kernel time is /proc/stat's tick sample, not exact (${REASON}; ${FIX})`;

// Not root, eBPF's first requirement, the reason would be root and not bpftrace (bench/collector/ebpf/availability.ts).
const notRoot = process.getuid?.() !== 0;

/** A short loopback run with `--kernel-time auto` and PATH `pathDir`; its --out is removed after the test. */
function runAuto(pathDir: string) {
  const out = mkdtempSync(join(tmpdir(), "wirecost-auto-"));
  onTestFinished(() => rmSync(out, { recursive: true, force: true }));
  const args = [BIN, "--kernel-time", "auto", "--topology", "loopback", "--protocols", "http1", "--rps", "200", "--duration", "1s"];
  args.push("--warmup", "300ms", "--baseline", "200ms", "--prime", "300", "--out", out, "--json");
  return spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000, env: { ...process.env, PATH: pathDir, NO_COLOR: "1" } });
}

describe("bench CLI: --kernel-time auto without bpftrace", () => {
  it.skipIf(notRoot)(`falls back to the tick method with one warning naming the reason and the fix${notRoot ? " (skipped: needs root)" : ""}`, () => {
    const tools = pathWithout(["bpftrace"]);
    onTestFinished(tools.remove);
    const r = runAuto(tools.dir);

    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split("\n");
    expect(lines.filter((l) => l.includes("kernel time"))).toEqual([WARNING]);
    expect(lines.filter((l) => l.includes("bpftrace"))).toEqual([WARNING]);
    const printed = JSON.parse(r.stdout) as RunResult;
    const path = /results: (.*result\.json)/.exec(r.stderr)?.[1];
    const saved = JSON.parse(readFileSync(path ?? "", "utf8")) as RunResult;
    expect(saved).toEqual(printed);
    expect(saved.warnings).toContain(WARNING.slice("warning: ".length));
    expect(saved.scenarios.map((s) => [s.name, s.state])).toEqual([["http1", "completed"]]);
    for (const s of saved.scenarios) {
      if (s.state === "completed") expect(s.kernelTime).toEqual({ method: "tick", reason: REASON, fix: FIX });
    }
  });
});

describe("bench CLI: --kernel-time auto with a bpftrace that cannot start", () => {
  it.skipIf(notRoot)(`falls back to the tick method with the same warning shape, naming bpftrace's error and a fix${notRoot ? " (skipped: needs root)" : ""}`, () => {
    const tools = pathWithout(["bpftrace"]);
    onTestFinished(tools.remove);
    // Installed, so the up-front check passes, but failing as a kernel without BTF or a denied BPF call would.
    writeFileSync(join(tools.dir, "bpftrace"), "#!/bin/sh\necho 'ERROR: Could not resolve symbol: BEGIN' >&2\nexit 1\n");
    chmodSync(join(tools.dir, "bpftrace"), 0o755);
    const r = runAuto(tools.dir);

    expect(r.status, r.stderr).toBe(0);
    const warning = r.stderr.split("\n").filter((l) => l.startsWith("warning:") && l.includes("kernel time"));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(/^warning: kernel time is \/proc\/stat's tick sample, not exact \(bpftrace could not start \(bpftrace .*ERROR: Could not resolve symbol: BEGIN.*\); check that bpftrace runs here \(bpftrace -e 'BEGIN \{ exit\(\); \}'\), or --kernel-time tick\)$/);
    const saved = JSON.parse(r.stdout) as RunResult;
    for (const s of saved.scenarios) {
      expect(s.state).toBe("completed");
      if (s.state === "completed") expect(s.kernelTime?.method).toBe("tick");
    }
  });
});
