import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUFFERS, PROGRAM_FILE, programArgs, renderProgram } from "../../bench/collector/ebpf/program.ts";

const template = readFileSync(PROGRAM_FILE, "utf8");

describe("the kernel-time bpftrace program, rendered for the run's CPUs", () => {
  it("filters every per-CPU probe to the run's CPUs with a literal predicate", () => {
    const text = renderProgram(template, [3, 1, 3]);
    expect(text).not.toContain("{{");
    expect(text).toContain("tracepoint:irq:softirq_entry /cpu == 1 || cpu == 3/ {");
    expect(text).toContain("tracepoint:sched:sched_switch /cpu == 1 || cpu == 3/ {");
    expect(text.match(/cpu == 1 \|\| cpu == 3/g)).toHaveLength(10);
  });

  it("closes each CPU's running slice, and the syscall slice inside it, into the closing buffer at a mark", () => {
    const text = renderProgram(template, [0]);
    const run = (b: number) => `@run_ns${b}[(uint64)0, $t0] += $now - $l0;`;
    const sys = (b: number) => `@sys_ns${b}[(uint64)0, $t0] += $now - $o0;`;
    // Each map read once into a variable: the CPU's own probes may write it between two reads.
    expect(text).toContain(
      [
        "  $l0 = @last[0];",
        "  if ($l0 != 0 && $now > $l0) {",
        "    $c0 = @cur[0];",
        "    $t0 = @tgid[$c0];",
        `    if ($buf == 0) { ${run(0)} } else if ($buf == 1) { ${run(1)} } else { ${run(2)} }`,
        "    @last[0] = $now;",
        "    $o0 = @sys_on[$c0];",
        "    if ($o0 != 0 && $now > $o0) {",
        `      if ($buf == 0) { ${sys(0)} } else if ($buf == 1) { ${sys(1)} } else { ${sys(2)} }`,
        "      @sys_on[$c0] = $now;",
        "    }",
        "  }",
      ].join("\n"),
    );
    expect(text).not.toContain("@last[1]");
  });

  it("writes a `#` map statement as one branch per buffer and a `*` map once per buffer", () => {
    const text = renderProgram(template, [0]);
    expect(text).toContain(
      "  if ($buf == 0) { @softirq_n0[cpu, args->vec, pid] += 1; } else if ($buf == 1) { @softirq_n1[cpu, args->vec, pid] += 1; } else { @softirq_n2[cpu, args->vec, pid] += 1; }",
    );
    expect(text).toContain("clear(@run_ns0); clear(@run_ns1); clear(@run_ns2);");
    expect(text).not.toMatch(/@\w+[#*]/);
    expect(BUFFERS).toBe(3);
  });

  it("leaves the comments out of the command line and keeps every probe", () => {
    const text = renderProgram(template, [0, 1]);
    expect(text).not.toMatch(/^\s*\/\//m);
    for (const probe of ["irq:softirq_exit", "irq:irq_handler_exit", "irq_vectors:local_timer_entry", "raw_syscalls:sys_enter", "syscalls:sys_enter_kill"]) {
      expect(text).toContain(`tracepoint:${probe}`);
    }
  });

  it("refuses no CPUs or a CPU that is not a number", () => {
    expect(() => renderProgram(template, [])).toThrow(/at least one CPU/);
    expect(() => renderProgram(template, [-1])).toThrow(/not a CPU number: -1/);
    expect(() => renderProgram("BEGIN {}", [0])).toThrow(/slot/);
  });

  it("runs bpftrace with JSON output and the harness's pid as $1", () => {
    const args = programArgs({ cpus: [0, 1], harnessPid: 10 }, template);
    expect(args.slice(0, 4)).toEqual(["--no-warnings", "-f", "json", "-e"]);
    expect(args[4]).toBe(renderProgram(template, [0, 1]));
    expect(args.slice(5)).toEqual(["10"]);
    expect(() => programArgs({ cpus: [0], harnessPid: 0 }, template)).toThrow(/harnessPid must be a process id/);
  });

  it("splits out the syscall time of the processes the harness asks for, not of fixed pids", () => {
    const text = renderProgram(template, [0]);
    expect(text).toContain("tracepoint:raw_syscalls:sys_enter /@tracked[pid] != 0/ {");
    expect(text).toContain("tracepoint:syscalls:sys_enter_kill /pid == $1 && (int32)args->sig == 0 && (int32)args->pid < 0 && (int32)args->pid != -$1/ {");
    expect(text).not.toMatch(/\$[23]/);
  });
});
