/**
 * The bpftrace program of the eBPF collector: kernel-time.bt with its two slots filled for the run's CPUs, and the
 * argument list that runs it. Pure, apart from reading the checked-in .bt file once.
 *
 * bpftrace cannot loop over CPUs inside a probe, so the mark's "close every CPU's running slice" is written out
 * per CPU here, and the probes are filtered to the run's CPUs by a literal predicate (cheaper in the hot path
 * than a map lookup).
 */
import { readFileSync } from "node:fs";

export const PROGRAM_FILE = new URL("./kernel-time.bt", import.meta.url);

export interface ProgramTargets {
  /** The CPUs whose time is accounted: the run's server and generator CPUs. */
  readonly cpus: readonly number[];
  /** The process that sends the marks (the harness): kill(-pid, 0) from it closes an epoch. */
  readonly harnessPid: number;
  readonly serverPid: number;
  readonly generatorPid: number;
}

/** Fills the `{{CPUS}}` and `{{CLOSE_SLICES}}` slots of the template. */
export function renderProgram(template: string, cpus: readonly number[]): string {
  if (cpus.length === 0) throw new RangeError("the eBPF collector needs at least one CPU to account");
  for (const c of cpus) if (!Number.isInteger(c) || c < 0) throw new RangeError(`not a CPU number: ${c}`);
  const unique = [...new Set(cpus)].sort((a, b) => a - b);
  const predicate = unique.map((c) => `cpu == ${c}`).join(" || ");
  const close = unique.map(closeSlice).join("\n");
  if (!template.includes("{{CPUS}}") || !template.includes("{{CLOSE_SLICES}}")) {
    throw new Error("kernel-time.bt lacks its {{CPUS}} or {{CLOSE_SLICES}} slot");
  }
  // Comments stay in the checked-in file; the command line (ps, /proc/<pid>/cmdline) gets the code alone.
  const code = template
    .split("\n")
    .filter((line) => !/^\s*\/\//.test(line))
    .join("\n");
  return code.replaceAll("{{CPUS}}", predicate).replace("{{CLOSE_SLICES}}", close);
}

/** At a mark, the slice CPU `c` is running (and the syscall slice inside it) is split at `$now`. */
function closeSlice(c: number): string {
  const both = (map: string, value: string): string =>
    `if ($closing % 2 == 0) { @${map}0[(uint64)${c}, $t${c}] += ${value}; } else { @${map}1[(uint64)${c}, $t${c}] += ${value}; }`;
  return [
    `  if (@last[${c}] != 0) {`,
    `    $t${c} = @tgid[@cur[${c}]];`,
    `    ${both("run_ns", `$now - @last[${c}]`)}`,
    `    @last[${c}] = $now;`,
    `    if (@sys_on[@cur[${c}]] != 0) {`,
    `      ${both("sys_ns", `$now - @sys_on[@cur[${c}]]`)}`,
    `      @sys_on[@cur[${c}]] = $now;`,
    `    }`,
    `  }`,
  ].join("\n");
}

/**
 * bpftrace's arguments: the program inline (`-e`), `-f json` so every print is one JSON line, and the three pids as
 * positional parameters `$1 $2 $3`.
 */
export function programArgs(targets: ProgramTargets, template: string = readFileSync(PROGRAM_FILE, "utf8")): readonly string[] {
  for (const [name, pid] of Object.entries({ harnessPid: targets.harnessPid, serverPid: targets.serverPid, generatorPid: targets.generatorPid })) {
    if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`${name} must be a process id, got ${pid}`);
  }
  const text = renderProgram(template, targets.cpus);
  return ["--no-warnings", "-f", "json", "-e", text, String(targets.harnessPid), String(targets.serverPid), String(targets.generatorPid)];
}
