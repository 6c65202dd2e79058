/**
 * Whether exact kernel time can be measured here, and if not, one reason and one fix (printed with the tick
 * fallback's warning, or as the usage error of `--kernel-time ebpf`).
 *
 * bpftrace needs root (BPF and perf events), Linux, and the tracing file system for its tracepoints. On a fresh
 * machine /sys/kernel/tracing is an empty directory until tracefs is mounted there; the tracer mounts it in a private
 * mount namespace of its own (`unshare --mount`), so the host's mounts never change and nothing is left mounted
 * however the run ends (docs/kernel-notes.md § "Exact kernel time with eBPF").
 */
import { existsSync } from "node:fs";

export type KernelTimeMethod = "ebpf" | "tick";

/** The method a run uses, decided once before anything starts. */
export type KernelTimePlan = { readonly method: "ebpf" } | { readonly method: "tick"; readonly reason: string; readonly fix: string };

export type EbpfAvailability =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly fix: string };

/** What the check looks at, injectable for tests. */
export interface EbpfProbe {
  readonly platform: string;
  readonly uid: number | null;
  readonly hasCommand: (name: string) => boolean;
  readonly exists: (path: string) => boolean;
}

export const TRACEFS_DIR = "/sys/kernel/tracing";

export function checkEbpf(probe: EbpfProbe): EbpfAvailability {
  if (probe.platform !== "linux") return { ok: false, reason: `eBPF needs Linux (this is ${probe.platform})`, fix: "run wirecost on Linux" };
  if (probe.uid !== 0) return { ok: false, reason: "eBPF needs root", fix: "run as root (sudo npm run bench …)" };
  if (!probe.hasCommand("bpftrace")) {
    return { ok: false, reason: "bpftrace is not installed", fix: "apt-get install bpftrace (npm run setup installs it)" };
  }
  if (!probe.hasCommand("unshare")) {
    return { ok: false, reason: "unshare is not installed (the tracer mounts tracefs in a private mount namespace)", fix: "apt-get install util-linux" };
  }
  if (!probe.hasCommand("chrt")) {
    return { ok: false, reason: "chrt is not installed (the tracer runs at the idle scheduling policy)", fix: "apt-get install util-linux" };
  }
  if (!probe.hasCommand("setpriv")) {
    return { ok: false, reason: "setpriv is not installed (it stops the tracer if the harness dies)", fix: "apt-get install util-linux" };
  }
  if (!probe.exists(TRACEFS_DIR)) {
    return { ok: false, reason: `this kernel has no ${TRACEFS_DIR} (CONFIG_TRACING off?)`, fix: "use a kernel with tracepoints and BPF (CONFIG_BPF_EVENTS)" };
  }
  return { ok: true };
}

export function systemProbe(hasCommand: (name: string) => boolean): EbpfProbe {
  return { platform: process.platform, uid: process.getuid?.() ?? null, hasCommand, exists: existsSync };
}

/** How long the watchdog waits after its SIGINT before it sends SIGKILL (bpftrace detaches in about a second). */
export const TRACER_KILL_GRACE_S = 5;

/**
 * The command that runs bpftrace: in a private mount namespace where tracefs is mounted if the host has not, pinned
 * to `cpu` (the generator's, so nothing of the collector runs on the server's CPU). Its stdin must be a pipe the
 * harness holds open while it wants the tracer: the watchdog below stops the tracer when that pipe closes.
 */
export function tracerCommand(argv: readonly string[], cpu: number | null): { readonly file: string; readonly args: readonly string[] } {
  // The watchdog: a subshell that waits for the harness's end of stdin to close — its exit, SIGKILL included, closes
  // it — and then sends the tracer (the shell's own pid, which execs into bpftrace) SIGINT, and SIGKILL after a
  // grace. The parent-death signal alone once left a tracer running for an hour after a killed harness: its SIGINT
  // never arrived (a later SIGINT by hand stopped it at once). The subshell checks the pid is still bpftrace before
  // each signal, so a pid reused after a normal stop is never signalled; fd 3 carries stdin past the rule that an
  // asynchronous list reads /dev/null.
  const alive = `[ "$(cat /proc/$$/comm 2>/dev/null)" = bpftrace ]`;
  const watchdog =
    `exec 3<&0; ( read -r _ <&3; ${alive} || exit 0; kill -INT $$; i=0; ` +
    `while ${alive} && [ $i -lt ${TRACER_KILL_GRACE_S * 2} ]; do sleep 0.5; i=$((i+1)); done; ${alive} && kill -KILL $$ ) >/dev/null 2>&1 & exec 3<&-`;
  const mountThenRun = `mountpoint -q ${TRACEFS_DIR} || mount -t tracefs nodev ${TRACEFS_DIR} || exit 97; ${watchdog}; exec "$@"`;
  // setpriv's parent-death signal outlives the execs down to bpftrace: a harness killed with SIGKILL, which cleans
  // nothing up, still stops its tracer, whose probes would otherwise tax every switch and syscall on the machine.
  // SCHED_IDLE: bpftrace prints each mark's maps on the generator's CPU (milliseconds of work ten times a second),
  // and in the normal class that work made the generator's sends late (h2c: lateness p99 5 ms at 1000 req/s). At the
  // idle policy any runnable task preempts it; the marks' times are taken in the kernel, so a late print moves
  // nothing.
  const inner = ["chrt", "--idle", "0", "unshare", "--mount", "--propagation", "private", "sh", "-c", mountThenRun, "sh", "setpriv", "--pdeathsig", "INT", ...argv];
  return cpu === null ? { file: inner[0] as string, args: inner.slice(1) } : { file: "taskset", args: ["-c", String(cpu), ...inner] };
}

/**
 * `tick` is taken as asked; `auto` is eBPF where it can run and else the tick method, with the reason; `ebpf` that
 * cannot run is refused, with the reason and the fix, for the CLI's usage error.
 */
export function chooseKernelTime(
  choice: "auto" | "ebpf" | "tick",
  availability: EbpfAvailability,
): KernelTimePlan | { readonly method: "refused"; readonly reason: string; readonly fix: string } {
  if (choice === "tick") return { method: "tick", reason: "--kernel-time tick", fix: "--kernel-time ebpf for exact kernel time" };
  if (availability.ok) return { method: "ebpf" };
  return { method: choice === "ebpf" ? "refused" : "tick", reason: availability.reason, fix: availability.fix };
}

/** The usage error of `--kernel-time ebpf` where eBPF cannot run: one line naming the flag, the reason and the fix. */
export function kernelTimeRefusal(reason: string, fix: string): string {
  return `--kernel-time ebpf: ${reason}; ${fix}, or use --kernel-time tick`;
}

/**
 * The warning of `--kernel-time auto` falling back to the tick method: the figures are still made, less exactly, so
 * the run goes on and says why and how to get exact time. It is printed to stderr and kept in result.json's warnings.
 */
export function tickFallbackWarning(reason: string, fix: string): string {
  return `kernel time is /proc/stat's tick sample, not exact (${reason}; ${fix})`;
}
