/**
 * `npm run bench:memory`: does a long run stay within bounded memory? (issue 11). One scenario runs for --duration at
 * a high --sample-hz under a low V8 heap limit (`node --max-old-space-size`); every second the harness's, the
 * server's and the generator's resident memory is read from /proc/<pid>/status. It prints each process's resident
 * memory when the load began, at its end, its peak and its growth per hour (least squares over the run after the
 * first fifth), and checks the result is complete: the scenario completed, result.json's series within their cap,
 * and timeseries.ndjson holding every point. A benchmark, not a test: the bound per hour it prints is the README's.
 *
 * The default limit is 192 MiB. The harness holds about 29 MiB of live heap once its modules are loaded, but V8
 * counts the heap it has committed (new space, code, free pages: ~100 MiB here) against the limit: at 64 and at
 * 96 MiB it ran full collections many times a second within minutes, starving bpftrace on the generator's CPU until
 * a mark timed out. At 192 MiB a 10-minute run took 32. The code before the bounded series outgrew 192 MiB of live
 * heap in about four minutes at 100 Hz.
 */
import { spawn } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SERIES_CAP } from "../collector/bounded-series.ts";
import type { CompletedScenario, RunResult } from "../results/schema.ts";
import { SERIES_FILE } from "../results/series-file.ts";
import { USAGE_EXIT_CODE, UsageError } from "../support/errors.ts";
import { parseToolArgs, positiveNumber, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { ARMS } from "../../contract/index.ts";
import { growthMiBPerHour, parseFullGc, parseStatusKb } from "./summary.ts";
import type { MemoryPoint } from "./summary.ts";

export const MEMORY_BENCH_HELP = `wirecost bench:memory — does a long run stay within bounded memory?

usage: npm run bench:memory -- [--duration S] [--sample-hz N] [--heap-mb N] [--protocol ARM] [--rps R] [--topology T] [--verify] [--out DIR]

  --duration S    the scenario's measured time, seconds (default 600, at most 3600)
  --sample-hz N   collector samples per second (default 100, the most --sample-hz allows)
  --heap-mb N     the harness's V8 heap limit, MiB (default 192)
  --protocol ARM  the arm (default http1)
  --rps R         offered load (default 1000)
  --topology T    netns | loopback (default netns)
  --verify        also count the window with tcpdump (its file grows about 150 bytes a packet)
  --out DIR       where the run's files go (default a new temporary directory, kept)

Reads /proc/<pid>/status of the harness, the server and the generator every second. Runs one load: run it alone.
`;

const BIN = fileURLToPath(new URL("../bin.ts", import.meta.url));

interface Watched {
  readonly role: "harness" | "server" | "generator";
  readonly pid: number;
  readonly points: MemoryPoint[];
  peakKb: number;
}

function fmtMiB(kb: number | undefined): string {
  return kb === undefined ? "–" : (kb / 1024).toFixed(1);
}

export async function main(argv: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, "bench:memory", async () => {
    const args = parseToolArgs(argv, {
      tool: "bench:memory",
      strings: ["duration", "sample-hz", "heap-mb", "protocol", "rps", "topology", "out"],
      booleans: ["verify"],
      positionals: [],
      usage: "",
    });
    if (args.help) {
      io.stdout.write(MEMORY_BENCH_HELP);
      return 0;
    }
    const v = args.values;
    const durationS = positiveNumber("duration", v.duration, 600);
    if (durationS > 3600) throw new UsageError("WC_BAD_VALUE", `--duration ${durationS}: at most 3600 seconds (bench's --duration limit); e.g. --duration 600`);
    const sampleHz = positiveNumber("sample-hz", v["sample-hz"], 100);
    const heapMb = positiveNumber("heap-mb", v["heap-mb"], 192);
    const rps = positiveNumber("rps", v.rps, 1000);
    const protocol = typeof v.protocol === "string" ? v.protocol : "http1";
    if (!ARMS.some((a) => a.name === protocol)) throw new UsageError("WC_BAD_VALUE", `--protocol ${protocol}: not an arm; one of ${ARMS.map((a) => a.name).join(", ")}`);
    const topology = typeof v.topology === "string" ? v.topology : "netns";
    if (topology !== "netns" && topology !== "loopback") throw new UsageError("WC_BAD_VALUE", `--topology ${topology}: netns or loopback`);
    const out = typeof v.out === "string" ? v.out : mkdtempSync(join(tmpdir(), "wirecost-memory-"));

    const benchArgs = [
      `--max-old-space-size=${Math.round(heapMb)}`,
      "--trace-gc",
      BIN,
      "--protocols", protocol,
      "--rps", String(rps),
      "--duration", `${durationS}s`,
      "--warmup", "2s",
      "--sample-hz", String(sampleHz),
      "--topology", topology,
      "--max-time", `${Math.ceil(durationS / 60) + 10}m`,
      "--out", out,
      ...(v.verify === true ? ["--verify"] : []),
    ];
    const commandLine = `node ${benchArgs.map((a) => (a === BIN ? "bench/bin.ts" : a)).join(" ")}`;
    const child = spawn(process.execPath, benchArgs, { stdio: ["ignore", "pipe", "pipe"], env: { ...io.env, NO_COLOR: "1" } });
    const watched: Watched[] = [{ role: "harness", pid: child.pid ?? 0, points: [], peakKb: 0 }];
    let loadStartMs: number | null = null;
    let resultPath: string | undefined;
    // The harness's live heap after each full collection (--trace-gc, on its stdout), from the load's start on.
    const liveHeap: MemoryPoint[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => {
      const gc = parseFullGc(line);
      if (gc !== null && loadStartMs !== null) liveHeap.push({ s: (Date.now() - loadStartMs) / 1000, kb: gc.liveMb * 1024 });
    });
    // Its progress, passed on: the pids to watch, when the load starts, where the result is.
    createInterface({ input: child.stderr }).on("line", (line) => {
      io.stderr.write(`${line}\n`);
      const pid = /(server|generator) pid (\d+)/.exec(line);
      if (pid !== null) watched.push({ role: pid[1] as "server" | "generator", pid: Number(pid[2]), points: [], peakKb: 0 });
      if (loadStartMs === null && /: warm-up/.test(line)) loadStartMs = Date.now();
      resultPath = /results: (\S+result\.json)/.exec(line)?.[1] ?? resultPath;
    });
    const read = (): void => {
      if (loadStartMs === null) return;
      const s = (Date.now() - loadStartMs) / 1000;
      for (const w of watched) {
        let status: ReturnType<typeof parseStatusKb> = null;
        try {
          status = parseStatusKb(readFileSync(`/proc/${w.pid}/status`, "utf8"));
        } catch {
          // Not started yet or already gone.
        }
        if (status === null) continue;
        w.points.push({ s, kb: status.rssKb });
        w.peakKb = Math.max(w.peakKb, status.peakKb);
      }
    };
    const timer = setInterval(read, 1000);
    // "close", not "exit": every line of its output has been read by then.
    const code = await new Promise<number | null>((resolve) => child.on("close", (exitCode) => resolve(exitCode)));
    clearInterval(timer);
    // The bench refused its flags (its one line is above): the same refusal, the same exit code.
    if (code === USAGE_EXIT_CODE) return USAGE_EXIT_CODE;
    const path = resultPath;
    if (path === undefined) throw new Error(`the run wrote no result (exit ${code}); see its output above`);
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    const scenario = result.scenarios[0];
    const completed = scenario?.state === "completed" ? (scenario as CompletedScenario) : null;
    const dir = path.replace(/result\.json$/, "");
    // Line by line: the file may be up to its 1 GiB cap, past Node's largest string.
    const lineCount = { proc: 0, ebpf: 0 };
    for await (const line of createInterface({ input: createReadStream(join(dir, SERIES_FILE)) })) {
      const series = (JSON.parse(line) as { series?: string }).series;
      if (series === "proc") lineCount.proc++;
      else if (series === "ebpf") lineCount.ebpf++;
    }
    const procPoints = completed?.collector?.timeSeriesMerged?.recordedPoints ?? completed?.timeSeries?.length ?? 0;
    const k = completed?.kernelTime;
    const ebpfPoints = k?.method === "ebpf" ? (k.timeSeriesMerged?.recordedPoints ?? k.timeSeries.length) : 0;
    const fromS = Math.max(30, durationS / 5);

    const lines = [
      `## Memory over a ${durationS} s scenario: ${protocol} at ${rps} req/s, ${sampleHz} Hz samples, ${topology}, harness heap limit ${heapMb} MiB`,
      "",
      `\`${commandLine}\``,
      "",
      `Run ${result.runId}: ${result.state}, scenario ${scenario?.state ?? "missing"}; server on CPU ${completed?.cpus?.server ?? "?"}, generator on CPU ${completed?.cpus?.client ?? "?"}, harness on CPU ${result.harness?.cpu ?? "unpinned"}.`,
      "",
      "| process | RSS at load start, MiB | at end, MiB | peak, MiB | growth after the first fifth, MiB/h |",
      "|---|---|---|---|---|",
      ...watched
        .filter((w, i, all) => all.findIndex((x) => x.pid === w.pid) === i)
        .map((w) => {
          const growth = growthMiBPerHour(w.points, fromS);
          return `| ${w.role} | ${fmtMiB(w.points[0]?.kb)} | ${fmtMiB(w.points.at(-1)?.kb)} | ${fmtMiB(w.peakKb)} | ${growth === null ? "–" : growth.toFixed(1)} |`;
        }),
      "",
      liveHeap.length === 0
        ? "The harness's live heap: no full collection during the load."
        : `The harness's live heap after each of its ${liveHeap.length} full collections during the load: first ${fmtMiB(liveHeap[0]?.kb)} MiB, last ${fmtMiB(liveHeap.at(-1)?.kb)} MiB, largest ${fmtMiB(Math.max(...liveHeap.map((p) => p.kb)))} MiB; growth after the first fifth ${growthMiBPerHour(liveHeap, fromS)?.toFixed(1) ?? "–"} MiB/h.`,
      "",
      `result.json: ${statSync(path).size} bytes; its /proc series ${completed?.timeSeries?.length ?? 0} points (cap ${SERIES_CAP}) of ${procPoints} made` +
        (k?.method === "ebpf" ? `, its eBPF series ${k.timeSeries.length} of ${ebpfPoints}` : `, kernel time by ${k?.method ?? "?"}`) +
        `; ${SERIES_FILE}: ${statSync(join(dir, SERIES_FILE)).size} bytes, ${lineCount.proc} /proc lines and ${lineCount.ebpf} eBPF lines.`,
      ...(completed?.verify === undefined ? [] : [`--verify: tcpdump counted ${completed.verify.capturedInWindow} packets in the window, the counters ${completed.verify.collectorPackets}.`]),
      "",
    ];
    io.stdout.write(`${lines.join("\n")}\n`);
    const whole =
      completed !== null &&
      result.state === "finished" &&
      lineCount.proc === procPoints &&
      (k?.method !== "ebpf" || lineCount.ebpf === ebpfPoints) &&
      (completed.timeSeries?.length ?? 0) <= SERIES_CAP;
    if (!whole) io.stderr.write("bench:memory: the result is not complete (see above)\n");
    return whole ? 0 : 1;
  });
}
