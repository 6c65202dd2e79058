/**
 * Exact kernel time, live in namespaces: a run measured with eBPF whose attribution adds up to each CPU's wall time
 * (the accounting identity, within 1%), whose server CPU did NET_RX work, and whose NET_RX time agrees within 5%
 * with a second, minimal bpftrace that times the same softirqs over the same window on its own. The second tracer
 * shares nothing with the collector but the tracepoints: it sums NET_RX time per CPU and prints the sums at every
 * mark the harness makes (the syscall kill(-harness pid, 0), bench/collector/ebpf/kernel-time.bt), so the window's
 * edges are found in its output by their time.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus as osCpus, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkEbpf, systemProbe, tracerCommand } from "../../bench/collector/ebpf/availability.ts";
import { startKernelTimeTracer } from "../../bench/collector/ebpf/tracer.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import { hasCommand } from "../../bench/support/tools.ts";
import { checkTopologySupport } from "../../bench/topology/index.ts";

const support = await checkTopologySupport("netns");
const ebpf = checkEbpf(systemProbe(hasCommand));
const skipReason = !support.ok ? support.reason : !ebpf.ok ? `${ebpf.reason} (${ebpf.fix})` : null;
const out = mkdtempSync(join(tmpdir(), "wirecost-ebpf-live-"));
const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGINT");
  rmSync(out, { recursive: true, force: true });
});

/** NET_RX (vector 3) time per CPU, printed with the time at each of the harness's marks. */
function independentProgram(cpuCount: number): string {
  const sums = Array.from({ length: cpuCount }, (_, cpu) => `@rx[${cpu}]`);
  return [
    `BEGIN { printf("ready\\n"); }`,
    `tracepoint:irq:softirq_entry /args->vec == 3/ { @st[cpu] = nsecs; }`,
    `tracepoint:irq:softirq_exit /args->vec == 3 && @st[cpu] != 0/ { @rx[cpu] += nsecs - @st[cpu]; @st[cpu] = 0; }`,
    // A mark is a process's kill(-its own pid, 0): the harness's, whatever its pid, and this test's own closing one.
    `tracepoint:syscalls:sys_enter_kill /(int32)args->pid == -(int32)pid && (int32)args->sig == 0/ {`,
    `  printf("mark %lld${" %lld".repeat(cpuCount)}\\n", nsecs, ${sums.join(", ")});`,
    `}`,
    `END { clear(@st); clear(@rx); }`,
  ].join("\n");
}

interface Mark {
  readonly ns: number;
  readonly rxNs: readonly number[];
}

function parseMarks(text: string): Mark[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("mark "))
    .map((l) => {
      const [ns = 0, ...rxNs] = l.split(" ").slice(1).map(Number);
      return { ns, rxNs };
    });
}

function nearest(marks: readonly Mark[], ns: number): Mark {
  const best = marks.reduce((a, b) => (Math.abs(b.ns - ns) < Math.abs(a.ns - ns) ? b : a));
  // The two tracers read the clock in their own handlers of one syscall: microseconds apart, never a sample apart.
  const near = [...marks].sort((a, b) => Math.abs(a.ns - ns) - Math.abs(b.ns - ns)).slice(0, 3).map((m) => m.ns - ns);
  expect(Math.abs(best.ns - ns), `mark at ${ns} ns; the reference's nearest, relative: ${near.join(", ")} ns, of ${marks.length}`).toBeLessThan(1e6);
  return best;
}

async function startIndependentTracer(cpuCount: number): Promise<{ stop: () => Promise<string> }> {
  // The project's wrapper without its SCHED_IDLE step: a reference that a busy CPU starves of reading its buffer
  // would lose marks ("Lost N events"), and its nearest mark would be another one (a full run once found 2.9 ms).
  const wrapped = tracerCommand(["bpftrace", "--no-warnings", "-e", independentProgram(cpuCount)], null);
  expect([wrapped.file, ...wrapped.args.slice(0, 2)]).toEqual(["chrt", "--idle", "0"]);
  const command = { file: wrapped.args[2] as string, args: wrapped.args.slice(3) };
  // stdin a pipe held open: the wrapper's watchdog stops the tracer when it closes.
  const child = spawn(command.file, command.args, { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => void (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => void (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the independent bpftrace did not start: ${stderr}`)), 30_000);
    const check = (): void => {
      if (stdout.includes("ready\n")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    void exited.then(() => reject(new Error(`the independent bpftrace exited: ${stderr}`)));
  });
  return {
    stop: async () => {
      // bpftrace exits on SIGINT without always reading what its last poll missed: a full run once ended with the
      // harness's last mark absent here (every nearest mark earlier, 2.9 ms and more). A mark of our own, read back,
      // means every earlier one has been read.
      const seen = parseMarks(stdout.slice(0, stdout.lastIndexOf("\n") + 1)).length;
      try {
        process.kill(-process.pid, 0);
      } catch {
        // ESRCH when no process group has that id: the syscall, all the tracer waits for, was still made.
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the independent bpftrace never printed the closing mark: ${stderr}`)), 10_000);
        const check = (): void => {
          if (parseMarks(stdout.slice(0, stdout.lastIndexOf("\n") + 1)).length > seen) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on("data", check);
        check();
      });
      child.kill("SIGINT");
      await exited;
      // Every mark it saw is in its output, or the comparison below would pair the wrong ones.
      expect(stderr).not.toMatch(/Lost \d+ events/);
      return stdout;
    },
  };
}

describe.skipIf(skipReason !== null)(`exact kernel time with eBPF in namespaces${skipReason === null ? "" : ` (skipped: ${skipReason})`}`, () => {
  it("adds up to each CPU's wall time within 1%, finds NET_RX work on the server CPU, and agrees with a second tracer", async () => {
    const cpuCount = osCpus().length;
    const measured = async (): Promise<{ result: RunResult; marks: Mark[] }> => {
      const independent = await startIndependentTracer(cpuCount);
      // The harness as users run it, a process of its own: run inside this test worker, whose heap is vitest's too,
      // a window's edge mark came 60–82 ms after the generator's edge in 1 of 3 full test runs (always at grpc's
      // start, the second scenario: a collection of the first one's garbage, by its timing), never in the CLI.
      // Asynchronously, so this process keeps reading the independent tracer's output meanwhile.
      const bench = spawn(process.execPath, [BIN, "--protocols", "http1,grpc", "--rps", "1000", "--duration", "2s", "--warmup", "500ms", "--baseline", "300ms", "--prime", "500", "--topology", "netns", "--kernel-time", "ebpf", "--out", out, "--json"], {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, NO_COLOR: "1" },
      });
      children.push(bench);
      let stderr = "";
      bench.stderr.on("data", (c: Buffer) => void (stderr += c.toString()));
      const [status] = (await once(bench, "exit")) as [number | null];
      const marks = parseMarks(await independent.stop());
      expect(status, stderr).toBe(0);
      const path = /results: (.*result\.json)/.exec(stderr)?.[1] ?? "";
      const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
      expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(result.runId);
      return { result, marks };
    };
    // A window whose edge mark came more than 20 ms from the generator's edge is refused by the harness itself
    // (MAX_EBPF_EDGE_SKEW_MS, test/results/ebpf-edge-skew.test.ts) and measured by tick. Here that happened in 2 of
    // ~6 full test runs on 2026-12-05, each time at grpc's window start (62 and 82 ms late; cause unproven): such a
    // run is run once more. Any other reason for tick fails at once, below.
    const skewed = (r: RunResult): boolean =>
      r.scenarios.some((s) => s.state === "completed" && s.kernelTime?.method === "tick" && /^the eBPF window's edges were /.test(s.kernelTime.reason));
    let { result, marks } = await measured();
    if (skewed(result)) ({ result, marks } = await measured());
    const serverCpu = String(result.topology?.serverCpu);
    for (const s of result.scenarios as CompletedScenario[]) {
      expect(s.state, s.name).toBe("completed");
      const k = s.kernelTime;
      if (k?.method !== "ebpf") throw new Error(`${s.name}: kernel time was not measured with eBPF: ${JSON.stringify(k)}`);
      expect(k.tracer.lostEvents, s.name).toBe(0);
      const totals = s.totals?.cpuAttribution;
      expect(totals?.method, s.name).toBe("ebpf");
      // The identity: every CPU's parts add up to its wall time in the window.
      expect(s.perRequest?.cpuAttribution?.residualPct, s.name).toBeLessThan(1);
      for (const [cpu, split] of Object.entries(totals?.perCpu ?? {})) {
        expect(Math.abs(split.residual ?? Number.NaN) / (split.wall ?? 0), `${s.name} cpu ${cpu}`).toBeLessThan(0.01);
      }
      const netRxUs = totals?.perCpu[serverCpu]?.softirqNetRx ?? 0;
      expect(netRxUs, s.name).toBeGreaterThan(0);
      // The second tracer's NET_RX time on the server CPU between the same two marks.
      const from = nearest(marks, k.marksNs.from);
      const to = nearest(marks, k.marksNs.to);
      const independentUs = ((to.rxNs[Number(serverCpu)] ?? 0) - (from.rxNs[Number(serverCpu)] ?? 0)) / 1000;
      expect(Math.abs(netRxUs - independentUs) / independentUs, `${s.name}: eBPF ${netRxUs} µs, independent ${independentUs} µs`).toBeLessThan(0.05);
    }
  });

  it("fails a mark waiting when bpftrace dies at once, with bpftrace's exit, and every later mark too", async () => {
    const tracer = await startKernelTimeTracer({ cpus: [0, 1] }, null);
    try {
      expect((await tracer.mark()).epoch).toBeGreaterThanOrEqual(0);
      // Stopped, bpftrace cannot print the next epoch; killed, it never will.
      process.kill(tracer.pid, "SIGSTOP");
      const waiting = tracer.mark();
      const started = Date.now();
      process.kill(tracer.pid, "SIGKILL");
      await expect(waiting).rejects.toThrow(/bpftrace .*SIGKILL/);
      // Sooner than the 10 s a mark may wait for its epoch: the exit, not the timeout, ended it.
      expect(Date.now() - started).toBeLessThan(5000);
      await expect(tracer.mark()).rejects.toThrow(/bpftrace .*SIGKILL/);
    } finally {
      await tracer.stop();
    }
  });
});
