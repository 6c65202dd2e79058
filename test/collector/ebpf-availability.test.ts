/**
 * Whether eBPF can measure kernel time here, judged from an injected probe, and what each `--kernel-time` choice makes
 * of it: the reason and the fix are what the user reads (the tick fallback's warning, `--kernel-time ebpf`'s usage
 * error), so they are asserted to the letter.
 */
import { describe, expect, it } from "vitest";
import type { EbpfAvailability, EbpfProbe } from "../../bench/collector/ebpf/availability.ts";
import {
  checkEbpf,
  chooseKernelTime,
  kernelTimeRefusal,
  systemProbe,
  tickFallbackWarning,
  TRACEFS_DIR,
} from "../../bench/collector/ebpf/availability.ts";

/** A root Linux machine with bpftrace, unshare, setpriv and a tracefs mount point, with `change` applied. */
function probe(change: { platform?: string; uid?: number | null; commands?: readonly string[]; dirs?: readonly string[] } = {}): EbpfProbe {
  const commands = new Set(change.commands ?? ["bpftrace", "unshare", "chrt", "setpriv"]);
  const dirs = new Set(change.dirs ?? [TRACEFS_DIR]);
  return {
    platform: change.platform ?? "linux",
    uid: change.uid === undefined ? 0 : change.uid,
    hasCommand: (name) => commands.has(name),
    exists: (path) => dirs.has(path),
  };
}

const BPFTRACE_MISSING = { ok: false, reason: "bpftrace is not installed", fix: "apt-get install bpftrace (npm run setup installs it)" } as const;

describe("checkEbpf", () => {
  it("finds eBPF usable on root Linux with bpftrace, unshare and /sys/kernel/tracing", () => {
    expect(TRACEFS_DIR).toBe("/sys/kernel/tracing");
    expect(checkEbpf(probe())).toEqual({ ok: true });
  });

  it.each<[string, Parameters<typeof probe>[0], EbpfAvailability]>([
    ["not Linux", { platform: "darwin" }, { ok: false, reason: "eBPF needs Linux (this is darwin)", fix: "run wirecost on Linux" }],
    ["not root", { uid: 1000 }, { ok: false, reason: "eBPF needs root", fix: "run as root (sudo npm run bench …)" }],
    // process.getuid is absent on Windows: no uid is not root.
    ["without a uid", { uid: null }, { ok: false, reason: "eBPF needs root", fix: "run as root (sudo npm run bench …)" }],
    ["without bpftrace", { commands: ["unshare", "chrt", "setpriv"] }, BPFTRACE_MISSING],
    [
      "without unshare",
      { commands: ["bpftrace", "chrt", "setpriv"] },
      { ok: false, reason: "unshare is not installed (the tracer mounts tracefs in a private mount namespace)", fix: "apt-get install util-linux" },
    ],
    [
      "without chrt",
      { commands: ["bpftrace", "unshare", "setpriv"] },
      { ok: false, reason: "chrt is not installed (the tracer runs at the idle scheduling policy)", fix: "apt-get install util-linux" },
    ],
    [
      "without setpriv",
      { commands: ["bpftrace", "unshare", "chrt"] },
      { ok: false, reason: "setpriv is not installed (it stops the tracer if the harness dies)", fix: "apt-get install util-linux" },
    ],
    [
      "without /sys/kernel/tracing",
      { dirs: [] },
      { ok: false, reason: "this kernel has no /sys/kernel/tracing (CONFIG_TRACING off?)", fix: "use a kernel with tracepoints and BPF (CONFIG_BPF_EVENTS)" },
    ],
  ])("refuses %s with its reason and fix", (_, change, expected) => {
    expect(checkEbpf(probe(change))).toEqual(expected);
  });

  it("names the first thing missing, in the order the fixes must be made", () => {
    // Installing bpftrace would not help a user who is not root, and root does not help off Linux.
    expect(checkEbpf(probe({ platform: "darwin", uid: 1000, commands: [], dirs: [] }))).toMatchObject({ reason: "eBPF needs Linux (this is darwin)" });
    expect(checkEbpf(probe({ uid: 1000, commands: [], dirs: [] }))).toMatchObject({ reason: "eBPF needs root" });
    expect(checkEbpf(probe({ commands: [], dirs: [] }))).toEqual(BPFTRACE_MISSING);
    expect(checkEbpf(probe({ commands: ["bpftrace"], dirs: [] }))).toMatchObject({ fix: "apt-get install util-linux" });
  });

  it("looks at this process and asks the lookup it is given", () => {
    const asked: string[] = [];
    const system = systemProbe((name) => (asked.push(name), false));
    expect(system.platform).toBe(process.platform);
    expect(system.uid).toBe(process.getuid?.() ?? null);
    expect(system.hasCommand("bpftrace")).toBe(false);
    expect(asked).toEqual(["bpftrace"]);
    expect(system.exists("/proc/self")).toBe(true);
    expect(system.exists("/nonexistent/wirecost")).toBe(false);
  });
});

describe("chooseKernelTime", () => {
  it.each<["auto" | "ebpf" | "tick", EbpfAvailability, ReturnType<typeof chooseKernelTime>]>([
    ["auto", { ok: true }, { method: "ebpf" }],
    ["auto", BPFTRACE_MISSING, { method: "tick", reason: "bpftrace is not installed", fix: "apt-get install bpftrace (npm run setup installs it)" }],
    ["ebpf", { ok: true }, { method: "ebpf" }],
    ["ebpf", BPFTRACE_MISSING, { method: "refused", reason: "bpftrace is not installed", fix: "apt-get install bpftrace (npm run setup installs it)" }],
    // Asked for, so the reason is the flag itself, whether or not eBPF could have run.
    ["tick", { ok: true }, { method: "tick", reason: "--kernel-time tick", fix: "--kernel-time ebpf for exact kernel time" }],
    ["tick", BPFTRACE_MISSING, { method: "tick", reason: "--kernel-time tick", fix: "--kernel-time ebpf for exact kernel time" }],
  ])("makes --kernel-time %s with %j into %j", (choice, availability, expected) => {
    expect(chooseKernelTime(choice, availability)).toEqual(expected);
  });
});

describe("what the user reads", () => {
  it("warns of the tick fallback of --kernel-time auto with the reason and the fix", () => {
    expect(tickFallbackWarning(BPFTRACE_MISSING.reason, BPFTRACE_MISSING.fix)).toBe(
      "kernel time is /proc/stat's tick sample, not exact (bpftrace is not installed; apt-get install bpftrace (npm run setup installs it))",
    );
    expect(tickFallbackWarning("eBPF needs root", "run as root (sudo npm run bench …)")).toBe(
      "kernel time is /proc/stat's tick sample, not exact (eBPF needs root; run as root (sudo npm run bench …))",
    );
  });

  it("refuses --kernel-time ebpf in one line naming the flag, the fix and the way out", () => {
    const message = kernelTimeRefusal(BPFTRACE_MISSING.reason, BPFTRACE_MISSING.fix);
    expect(message).toBe(
      "--kernel-time ebpf: bpftrace is not installed; apt-get install bpftrace (npm run setup installs it), or use --kernel-time tick",
    );
    expect(message).not.toContain("\n");
  });
});
