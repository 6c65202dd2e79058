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
}

/** The buffers kernel-time.bt rotates through: two marks may be in flight while a third buffer takes the events. */
export const BUFFERS = 3;

/**
 * Renders the template: comments dropped (the command line gets the code alone), `{{CPUS}}` and `{{CLOSE_SLICES}}`
 * filled, each statement line naming a `#` map turned into one branch per buffer on `$buf`, and each `@map*` written
 * once per buffer.
 */
export function renderProgram(template: string, cpus: readonly number[]): string {
  if (cpus.length === 0) throw new RangeError("the eBPF collector needs at least one CPU to account");
  for (const c of cpus) if (!Number.isInteger(c) || c < 0) throw new RangeError(`not a CPU number: ${c}`);
  if (!template.includes("{{CPUS}}") || !template.includes("{{CLOSE_SLICES}}")) {
    throw new Error("kernel-time.bt lacks its {{CPUS}} or {{CLOSE_SLICES}} slot");
  }
  const unique = [...new Set(cpus)].sort((a, b) => a - b);
  const predicate = unique.map((c) => `cpu == ${c}`).join(" || ");
  return template
    .split("\n")
    .filter((line) => !/^\s*\/\//.test(line))
    .join("\n")
    .replaceAll("{{CPUS}}", predicate)
    .replace("{{CLOSE_SLICES}}", unique.map(closeSlice).join("\n"))
    .split("\n")
    .map(expandBuffers)
    .join("\n");
}

const ALL_BUFFERS = /(\w+)\((@\w+)\*\);/g;
const ONE_BUFFER = /(@\w+)#/g;

function expandBuffers(line: string): string {
  const all = line.replace(ALL_BUFFERS, (_m, call: string, map: string) =>
    Array.from({ length: BUFFERS }, (_, b) => `${call}(${map}${b});`).join(" "),
  );
  if (!/@\w+#/.test(all)) return all;
  const indent = /^\s*/.exec(all)?.[0] ?? "";
  const statement = all.trim();
  const branch = (b: number): string => statement.replace(ONE_BUFFER, (_m, map: string) => `${map}${b}`);
  const branches = Array.from({ length: BUFFERS }, (_, b) =>
    b === 0 ? `if ($buf == 0) { ${branch(0)} }` : b === BUFFERS - 1 ? `else { ${branch(b)} }` : `else if ($buf == ${b}) { ${branch(b)} }`,
  );
  return indent + branches.join(" ");
}

/**
 * At a mark, the slice CPU `c` is running (and the syscall slice inside it) is split at `$now`. Each map is read once
 * into a variable: CPU `c` runs its own probes meanwhile, and a second read of `@sys_on` that its sched_switch had
 * just cleared once added `$now − 0` (the machine's uptime, hours) to a task's syscall time.
 */
function closeSlice(c: number): string {
  return [
    `  $l${c} = @last[${c}];`,
    `  if ($l${c} != 0 && $now > $l${c}) {`,
    `    $c${c} = @cur[${c}];`,
    `    $t${c} = @tgid[$c${c}];`,
    `    @run_ns#[(uint64)${c}, $t${c}] += $now - $l${c};`,
    `    @last[${c}] = $now;`,
    `    $o${c} = @sys_on[$c${c}];`,
    `    if ($o${c} != 0 && $now > $o${c}) {`,
    `      @sys_ns#[(uint64)${c}, $t${c}] += $now - $o${c};`,
    `      @sys_on[$c${c}] = $now;`,
    `    }`,
    `  }`,
  ].join("\n");
}

/**
 * bpftrace's arguments: the program inline (`-e`), `-f json` so every print is one JSON line, and the harness's pid
 * as the positional parameter `$1`.
 */
export function programArgs(targets: ProgramTargets, template: string = readFileSync(PROGRAM_FILE, "utf8")): readonly string[] {
  if (!Number.isInteger(targets.harnessPid) || targets.harnessPid <= 0) throw new RangeError(`harnessPid must be a process id, got ${targets.harnessPid}`);
  return ["--no-warnings", "-f", "json", "-e", renderProgram(template, targets.cpus), String(targets.harnessPid)];
}
