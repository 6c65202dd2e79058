/**
 * Wires the kernel collector into a scenario: an idle baseline before load, full snapshots at the measured
 * window's edges, lean samples for the time series, and the per-request figures afterwards.
 *
 * Global counters (/proc/stat, softirqs, interrupts, softnet) see the whole host, so the idle baseline's rate is
 * subtracted from them and the contamination guard flags windows where other traffic ran
 * (docs/kernel-notes.md § "Counters per namespace and global counters").
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import {
  baselineRates,
  contaminationGuard,
  createProcReader,
  createSampler,
  diffSnapshots,
  findKernelThreads,
  readSnapshot,
  scaleFigures,
  subtractBaseline,
  windowTotals,
} from "../collector/index.ts";
import type { ProcReader, Sampler, Snapshot, SnapshotDelta, SnapshotSpec, TimeSeriesPoint } from "../collector/index.ts";
import { createBoundedSeries, seriesMerged } from "../collector/bounded-series.ts";
import type { KeptSeries } from "../collector/sampler.ts";
import { attribute } from "../collector/ebpf/attribution.ts";
import type { KernelTimeEpoch } from "../collector/ebpf/bpftrace-output.ts";
import { kernelTimeDetail, kernelTimePoint, mergeKernelTimePoints } from "../collector/ebpf/kernel-time-report.ts";
import type { KernelTimeFallback, KernelTimePoint } from "../collector/ebpf/kernel-time-report.ts";
import { extendWindow, openWindow } from "../collector/ebpf/kernel-time-window.ts";
import type { KernelTimeWindow } from "../collector/ebpf/kernel-time-window.ts";
import { classifyKernelThreads, readTaskIdentities } from "../collector/ebpf/roles.ts";
import { processTreeOf } from "../collector/process-tree.ts";
import type { KernelTimeTracer } from "../collector/ebpf/tracer.ts";
import type { KernelFigures, Verification } from "../results/kernel-figures.ts";
import type { SeriesSink } from "../results/series-file.ts";
import type { GeneratorReport } from "../load/report.ts";
import type { Placer, ScenarioObserver } from "./scenario.ts";
import { startCapture } from "../verify/capture.ts";
import type { Capture, CaptureCount } from "../verify/capture.ts";

export interface MeasureOptions {
  readonly sampleHz: number;
  readonly baselineMs: number;
  /** Capture the server interface with tcpdump and set its packet count beside the collector's. */
  readonly verify: boolean;
  /**
   * How kernel time is measured: exactly with eBPF (bpftrace runs for the whole scenario), or from /proc/stat's tick
   * samples, with the reason and the fix when eBPF was wanted but is not available (bench/collector/ebpf/).
   */
  readonly kernelTime: { readonly method: "ebpf"; readonly tracer: KernelTimeTracer } | KernelTimeFallback;
  /**
   * How long the time series may sample before it stops by itself, a bound in case nothing stops it: the run's
   * --max-time, past which no scenario runs, so it covers every window. Default: the sampler's own (1 h).
   */
  readonly maxSampleMs?: number;
  /** Where each time-series point goes as it is made, at full resolution (the run's timeseries.ndjson). */
  readonly series?: SeriesSink;
}

/** What the eBPF collector gathered over one scenario, for `kernelFigures`. */
export interface KernelTimeInputs {
  /** The epochs after its start mark up to and including the end mark's, summed as bpftrace printed them. */
  readonly window: KernelTimeWindow;
  /** Adds to a mark's `markNs` ÷ 10^6 (CLOCK_MONOTONIC, as bpftrace's nsecs) to give epoch ms. */
  readonly monotonicToEpochMs: number;
  readonly serverPids: readonly number[];
  readonly generatorPids: readonly number[];
  /** The kernel threads among the tasks the window saw (bench/collector/ebpf/roles.ts). */
  readonly kernelThreads: readonly [number, "ksoftirqd" | "napi" | "kernelThread"][];
  readonly tracer: { readonly probes: number; readonly lostEvents: number; readonly marks: number };
  readonly timeSeries: KeptSeries<KernelTimePoint>;
}

/** Largest disagreement between tcpdump and the counters that still counts as agreement. */
export const VERIFY_TOLERANCE_PCT = 0.1;

export function compareCounts(captured: number, collector: number | null): { differencePct: number | null; agrees: boolean | null } {
  if (collector === null || collector === 0) return { differencePct: null, agrees: collector === 0 ? captured === 0 : null };
  const differencePct = Math.round(((captured - collector) / collector) * 100 * 10_000) / 10_000;
  return { differencePct, agrees: Math.abs(differencePct) <= VERIFY_TOLERANCE_PCT };
}

export function snapshotSpecFor(placer: Placer, pids: { serverPid: number; generatorPid: number }): Omit<SnapshotSpec, "kind"> {
  const loopback = placer.kind === "loopback";
  return {
    serverPid: pids.serverPid,
    generatorPid: pids.generatorPid,
    serverNetns: loopback ? { pid: null, interfaces: ["lo"] } : { pid: placer.anchorPid?.("server") ?? pids.serverPid, interfaces: ["eth0"] },
    clientNetns: loopback ? null : { pid: placer.anchorPid?.("client") ?? pids.generatorPid, interfaces: ["eth0"] },
    // Bridge ports receive every packet again: without them the contamination guard would flag every window.
    ...(placer.bridge === undefined || placer.bridge === null ? {} : { bridgeNetns: { pid: placer.bridge.pid, interfaces: placer.bridge.interfaces } }),
    kernelThreads: findKernelThreads(),
  };
}

export function createMeasurement(placer: Placer, options: MeasureOptions): ScenarioObserver & { close(): void } {
  let reader: ProcReader | undefined;
  let spec: Omit<SnapshotSpec, "kind"> | undefined;
  let baseline: { from: Snapshot; to: Snapshot } | undefined;
  let sampler: Sampler | undefined;
  let atStart: Snapshot | undefined;
  let atEnd: Snapshot | undefined;
  let capture: Capture | undefined;
  const iface = placer.kind === "loopback" ? "lo" : "eth0";
  const phaseEpochMs: { measure?: number; drain?: number } = {};
  const cpus = [...new Set([placer.serverCpu, placer.clientCpu].filter((c): c is number => c !== null))].sort();
  const ebpf = createKernelTimeCollector(cpus, options.kernelTime.method === "ebpf" ? options.kernelTime.tracer : null, options.series);
  let kernelTime: KernelTimeFallback | null = options.kernelTime.method === "tick" ? options.kernelTime : null;
  const full = (): Snapshot => {
    if (reader === undefined || spec === undefined) throw new Error("collector used before the scenario started");
    return readSnapshot({ ...spec, kind: "full" }, reader);
  };
  let closed = false;
  const close = (): void => {
    closed = true;
    capture?.abort();
    capture = undefined;
    sampler?.stop();
    ebpf.stop();
    // Kept-open fds on /proc/<pid>/net/* pin the namespace: close them before the topology is removed.
    reader?.close();
  };

  return {
    close,
    async beforeLoad(pids) {
      if (closed) return;
      reader = createProcReader();
      spec = snapshotSpecFor(placer, pids);
      // The run's bpftrace splits out this scenario's server and generator syscalls from before the idle baseline.
      if (options.kernelTime.method === "ebpf") {
        const failure = await ebpf.start(pids);
        if (failure !== null) kernelTime = { method: "tick", reason: failure, fix: "see bpftrace's message; run with --kernel-time tick to skip eBPF" };
      }
      if (closed) return;
      if (options.baselineMs > 0) {
        const from = full();
        await sleep(options.baselineMs);
        if (closed) return;
        baseline = { from, to: full() };
      }
      // The scenario may have been aborted while this awaited: start nothing that would outlive it.
      if (closed) return;
      if (options.verify) {
        const started = await startCapture({ namespace: placer.namespace?.("server") ?? null, iface });
        if (closed) {
          started.abort();
          return;
        }
        capture = started;
      }
      sampler = createSampler({
        hz: options.sampleHz,
        spec,
        onSample: () => ebpf.sample(),
        ...(options.series === undefined ? {} : { onPoint: options.series.proc }),
        ...(options.maxSampleMs === undefined ? {} : { maxDurationMs: options.maxSampleMs }),
      });
    },
    countServerPackets() {
      if (reader === undefined || spec === undefined) throw new Error("collector used before the scenario started");
      const snapshot = readSnapshot({ ...spec, kind: "lean" }, reader);
      let packets = 0;
      for (const [name, reading] of Object.entries(snapshot.server.interfaces)) {
        if (!reading.ok) throw new Error(`cannot count packets: ${reading.reason}`);
        packets += reading.value.rxPackets + (name === "lo" ? 0 : reading.value.txPackets);
      }
      return packets;
    },
    onPhase(phase, epochMs) {
      if (phase === "measure") {
        ebpf.edge("start");
        atStart = full();
        phaseEpochMs.measure = epochMs;
      } else {
        ebpf.edge("end");
        atEnd = full();
        phaseEpochMs.drain = epochMs;
      }
    },
    async afterLoad(report: GeneratorReport): Promise<KernelFigures> {
      sampler?.stop();
      if (atStart === undefined || atEnd === undefined) throw new Error("the generator never reported its measured window");
      const start = atStart;
      const end = atEnd;
      let verified: CaptureCount | undefined;
      if (capture !== undefined) {
        const running = capture;
        capture = undefined;
        // Snapshot times on the epoch clock with sub-ms precision; the server net/dev is the first file read.
        verified = await running.finish((performance.timeOrigin + start.tMs) * 1000, (performance.timeOrigin + end.tMs) * 1000);
      }
      let ebpfInputs: KernelTimeInputs | undefined;
      if (kernelTime === null) {
        const gathered = await ebpf.finish();
        if (gathered.ok) ebpfInputs = gathered.inputs;
        else kernelTime = { method: "tick", reason: gathered.reason, fix: "see the reason; run with --kernel-time tick to skip eBPF" };
      }
      const overhead = sampler?.overhead();
      const figures = kernelFigures({
        atStart: start,
        atEnd: end,
        baseline: baseline ?? null,
        requests: report.completedInWindow,
        cpus,
        serverCpu: placer.serverCpu,
        clientCpu: placer.clientCpu,
        timeSeries: sampler?.timeSeries() ?? { points: [], recorded: 0, stride: 1 },
        sampleHz: options.sampleHz,
        overhead: { samples: overhead?.samples ?? 0, overheadCpuPct: overhead?.overheadCpuPct ?? 0, meanReadUs: overhead?.meanReadUs ?? 0 },
        phaseEpochMs,
        ...(verified === undefined ? {} : { verified: { iface, ...verified } }),
        kernelTime: ebpfInputs ?? kernelTime ?? { method: "tick", reason: "eBPF gathered nothing", fix: "run with --kernel-time tick" },
      });
      close();
      return figures;
    },
  };
}

/**
 * The eBPF side of one scenario: bpftrace started before the idle baseline, a mark at each time-series sample and at
 * the window's edges, and the epochs between the edges folded into the window's sums as they are printed (never
 * kept one by one, so a window of any length holds one row per task and line). Marks are serialised by the
 * tracer, so an edge mark may wait for a sample's print (a few ms): the skew against the generator's window is
 * recorded.
 */
function createKernelTimeCollector(cpus: readonly number[], tracer: KernelTimeTracer | null, sink: SeriesSink | undefined) {
  let pids: { serverPid: number; generatorPid: number; serverPids: readonly number[]; generatorPids: readonly number[] } | undefined;
  const series = createBoundedSeries(mergeKernelTimePoints);
  let firstMarkNs: number | null = null;
  let lastMarkNs: number | null = null;
  let marks = 0;
  let failure: string | null = null;
  const edges: { start?: Promise<KernelTimeEpoch>; end?: Promise<KernelTimeEpoch> } = {};
  /** The window so far: opened by the start mark's epoch, extended by each later epoch up to the end mark's. */
  let window: KernelTimeWindow | null = null;
  let windowError: string | null = null;
  const take = (): Promise<KernelTimeEpoch> | undefined => {
    if (tracer === null || pids === undefined || failure !== null) return undefined;
    marks++;
    // A mark taken after the end edge closes an epoch past the window: the series wants it, the sums do not.
    const inWindow = edges.end === undefined;
    const marked = tracer.mark();
    marked.then(
      (epoch) => {
        if (lastMarkNs !== null && firstMarkNs !== null) {
          const point = kernelTimePoint(epoch, lastMarkNs, firstMarkNs, cpus);
          series.push(point);
          sink?.ebpf(point);
        }
        firstMarkNs ??= epoch.markNs;
        lastMarkNs = epoch.markNs;
        // Epochs resolve in order, so the window is open (the start edge's epoch came first) for every later one.
        if (window !== null && inWindow && windowError === null) {
          try {
            window = extendWindow(window, epoch);
          } catch (error) {
            windowError = error instanceof Error ? error.message : String(error);
          }
        }
      },
      (error: unknown) => {
        failure ??= error instanceof Error ? error.message : String(error);
      },
    );
    return marked;
  };
  return {
    /** Has the run's tracer split out this scenario's processes; resolves with null, or with why it could not. */
    async start(started: { serverPid: number; generatorPid: number }): Promise<string | null> {
      if (tracer === null) return "no eBPF tracer for this run";
      try {
        // Every process of each tree (bench/collector/process-tree.ts), as the schedstat figures count them.
        const trees = { server: processTreeOf(started.serverPid), generator: processTreeOf(started.generatorPid) };
        await tracer.track([...trees.server, ...trees.generator]);
        pids = { ...started, serverPids: trees.server, generatorPids: trees.generator };
        return null;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
        return failure;
      }
    },
    sample(): void {
      // Only when no mark is in flight: bpftrace runs at SCHED_IDLE on the generator's CPU and may print seconds late
      // when that CPU is saturated; a queue of samples would then hold back an edge mark (the window's start was
      // once 2.8 s late at 30 000 req/s). Skipped samples only thin the time series.
      if (tracer !== null && tracer.inFlight() === 0) void take();
    },
    edge(which: "start" | "end"): void {
      const marked = take();
      if (marked === undefined) return;
      if (which === "start") {
        edges.start = marked;
        void marked.then((epoch) => {
          window = openWindow(epoch);
        }, () => {});
      } else {
        edges.end = marked;
      }
    },
    async finish(): Promise<{ ok: true; inputs: KernelTimeInputs } | { ok: false; reason: string }> {
      if (tracer === null || pids === undefined) return { ok: false, reason: failure ?? "bpftrace did not start" };
      try {
        const [first, last] = await Promise.all([edges.start, edges.end]);
        if (first === undefined || last === undefined) return { ok: false, reason: `the window's edges were not marked${failure === null ? "" : `: ${failure}`}` };
        if (windowError !== null) return { ok: false, reason: windowError };
        const summed = window as KernelTimeWindow | null;
        if (summed === null || summed.fromEpoch !== first.epoch || summed.toEpoch !== last.epoch) {
          return { ok: false, reason: `the window's epochs ${first.epoch + 1}–${last.epoch} were not all read` };
        }
        const seen = new Set<number>(summed.tasks.map((t) => t.pid));
        return {
          ok: true,
          inputs: {
            window: summed,
            // process.hrtime reads CLOCK_MONOTONIC, the clock of bpftrace's nsecs.
            monotonicToEpochMs: performance.timeOrigin + performance.now() - Number(process.hrtime.bigint()) / 1e6,
            serverPids: pids.serverPids,
            generatorPids: pids.generatorPids,
            kernelThreads: [...classifyKernelThreads(readTaskIdentities(seen))],
            tracer: { probes: tracer.probes, lostEvents: tracer.lostEvents, marks },
            timeSeries: { points: series.points(), recorded: series.recorded, stride: series.stride },
          },
        };
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      } finally {
        this.stop();
      }
    },
    /** The scenario is over: later marks are not its (the tracer itself lives for the whole run). */
    stop(): void {
      pids = undefined;
    },
  };
}

/** Everything the kernel figures of one scenario are made of: the snapshots, the samples, and what was counted. */
export interface KernelFigureInputs {
  readonly atStart: Snapshot;
  readonly atEnd: Snapshot;
  /** The idle baseline's two full snapshots; null when `--baseline 0`. */
  readonly baseline: { readonly from: Snapshot; readonly to: Snapshot } | null;
  /** Completed requests in the generator's window: the per-request denominator. */
  readonly requests: number;
  /** The CPUs the run is pinned to, for the /proc/stat figures. */
  readonly cpus: readonly number[];
  readonly serverCpu: number | null;
  readonly clientCpu: number | null;
  /** The time series the sampler kept (bounded: bench/collector/bounded-series.ts). */
  readonly timeSeries: KeptSeries<TimeSeriesPoint>;
  readonly sampleHz: number;
  readonly overhead: { readonly samples: number; readonly overheadCpuPct: number; readonly meanReadUs: number };
  /** When the generator said the window opened and closed (epoch ms). */
  readonly phaseEpochMs: { readonly measure?: number; readonly drain?: number };
  /** --verify's count of the window's packets at the server interface. */
  readonly verified?: CaptureCount & { readonly iface: string };
  /** The eBPF collector's epochs, or why the tick method measured the scenario instead. */
  readonly kernelTime: KernelTimeInputs | KernelTimeFallback;
}

/** The kernel figures of one scenario from its inputs. Pure. */
export function kernelFigures(input: KernelFigureInputs): KernelFigures {
  const { atStart, atEnd } = input;
  const raw = diffSnapshots(atStart, atEnd);
  const idle = input.baseline === null ? null : diffSnapshots(input.baseline.from, input.baseline.to);
  const rates = idle === null ? undefined : baselineRates(idle);
  const baselineWindowMs = idle?.windowMs ?? 0;
  const delta = rates === undefined ? raw : subtractBaseline(raw, rates, raw.windowMs / 1000);
  const costOptions = { ...(input.cpus.length > 0 ? { cpus: input.cpus } : {}), serverCpu: input.serverCpu, clientCpu: input.clientCpu };
  const exact = "window" in input.kernelTime ? exactKernelTime(input.kernelTime, input.cpus, receivedPackets(raw)) : null;
  const skew = exact === null || !("window" in input.kernelTime) ? null : edgeSkewMs(exact.window, input.kernelTime.monotonicToEpochMs, input.phaseEpochMs);
  const skewed = skew !== null && Math.max(Math.abs(skew.start), Math.abs(skew.end)) > MAX_EBPF_EDGE_SKEW_MS;
  const ebpf = skewed ? null : exact;
  const totals = windowTotals(delta, costOptions, ebpf === null ? null : { attribution: ebpf.attribution });
  const v = input.verified;
  const verify: Verification | undefined =
    v === undefined
      ? undefined
      : {
          tool: "tcpdump",
          interface: v.iface,
          capturedInWindow: v.inWindow,
          collectorPackets: totals.packets,
          ...(v.stoppedAtCap === undefined ? compareCounts(v.inWindow, totals.packets) : { differencePct: null, agrees: null }),
          droppedByKernel: v.droppedByKernel,
          capturedTotal: v.total,
          note:
            v.stoppedAtCap === undefined
              ? "tcpdump ran during the window: this scenario's CPU figures include its wake-ups"
              : `tcpdump was stopped when its file reached ${v.stoppedAtCap.bytes} bytes (the cap), before the window ended: its count covers only the window's start and is not compared`,
        };
  return {
    perRequest: scaleFigures(totals, input.requests),
    totals,
    baseline: {
      windowMs: baselineWindowMs,
      subtracted: rates === undefined ? [] : ["/proc/stat", "/proc/softirqs", "/proc/interrupts", "/proc/net/softnet_stat"],
      note:
        rates === undefined
          ? "no idle baseline taken (--baseline 0): global counters include whatever else ran"
          : `an idle baseline of ${Math.round(baselineWindowMs)} ms, taken with connections open and no load, was subtracted from the global counters as a rate; per-namespace and per-process counters are the run's own and are not adjusted`,
    },
    contamination: contaminationGuard(raw),
    softnet: totals.softnet,
    timeSeries: input.timeSeries.points,
    cpus: { server: input.serverCpu, client: input.clientCpu, accounted: input.cpus },
    collector: {
      sampleHz: input.sampleHz,
      samples: input.overhead.samples,
      overheadCpuPct: input.overhead.overheadCpuPct,
      meanSampleReadUs: input.overhead.meanReadUs,
      edgeSnapshotReadUs: [atStart.readUs, atEnd.readUs],
      windowMs: raw.windowMs,
      windowSkewMs: {
        start: round3(atStart.epochMs - (input.phaseEpochMs.measure ?? atStart.epochMs)),
        end: round3(atEnd.epochMs - (input.phaseEpochMs.drain ?? atEnd.epochMs)),
      },
      requests: input.requests,
      ...(input.timeSeries.stride > 1 ? { timeSeriesMerged: seriesMerged(input.timeSeries) } : {}),
    },
    ...(verify === undefined ? {} : { verify }),
    kernelTime:
      ebpf === null || skew === null || !("window" in input.kernelTime)
        ? "window" in input.kernelTime
          ? {
              method: "tick",
              reason: skewed
                ? `the eBPF window's edges were ${round3(skew?.start ?? 0)} and ${round3(skew?.end ?? 0)} ms from the generator's (more than ${MAX_EBPF_EDGE_SKEW_MS} ms): its figures are not this window's`
                : "no eBPF window",
              fix: skewed ? "rerun the scenario; an edge mark is made as the generator reports its window's edge" : "rerun with --kernel-time ebpf to see why bpftrace gave no window",
            }
          : input.kernelTime
        : kernelTimeDetail({
            window: ebpf.window,
            attribution: ebpf.attribution,
            cpus: input.cpus,
            serverPids: new Set(input.kernelTime.serverPids),
            generatorPids: new Set(input.kernelTime.generatorPids),
            schedstatRunUs: { server: totals.cpuUs.serverRun, generator: totals.cpuUs.clientRun },
            tracer: input.kernelTime.tracer,
            windowSkewMs: skew,
            timeSeries: input.kernelTime.timeSeries.points,
            ...(input.kernelTime.timeSeries.stride > 1 ? { timeSeriesMerged: seriesMerged(input.kernelTime.timeSeries) } : {}),
          }),
  };
}

/**
 * How far the eBPF window's edge marks may be from the generator's window before its figures are not that window's.
 * A mark is made within a millisecond or two of the edge. Once, marks queued behind samples and one came 2.8 s late
 * (bpftrace starved of CPU), dividing a shorter window's time by the whole window's requests; samples now wait while a
 * mark is in flight, so an edge never queues, and this check is what would catch such a window again. The /proc
 * snapshot at an edge is taken beside its mark, so a late phase message from the generator moves both alike.
 */
export const MAX_EBPF_EDGE_SKEW_MS = 20;

/** The eBPF window's edges against the generator's (epoch ms), ms: positive when the mark came after the edge. */
function edgeSkewMs(window: { fromMarkNs: number; toMarkNs: number }, monotonicToEpochMs: number, phases: KernelFigureInputs["phaseEpochMs"]) {
  return {
    start: round3(window.fromMarkNs / 1e6 + monotonicToEpochMs - (phases.measure ?? 0)),
    end: round3(window.toMarkNs / 1e6 + monotonicToEpochMs - (phases.drain ?? 0)),
  };
}

/** The eBPF window between the edge marks and its attribution over the run's CPUs. */
function exactKernelTime(k: KernelTimeInputs, cpus: readonly number[], received: number | null) {
  const { window } = k;
  const roles = { serverPids: new Set(k.serverPids), generatorPids: new Set(k.generatorPids), kernelThreads: new Map(k.kernelThreads) };
  return { window, attribution: attribute(window, roles, cpus, received) };
}

/**
 * Packets the run's interfaces received in the window: on veth each one is a NET_RX pass on the receiving side
 * (both ends are the run's), on loopback each packet is received once on lo.
 */
function receivedPackets(raw: SnapshotDelta): number | null {
  let n = 0;
  for (const netns of [raw.server, raw.client]) {
    if (netns === null) continue;
    for (const reading of Object.values(netns.interfaces)) {
      if (!reading.ok) return null;
      n += reading.value.rxPackets;
    }
  }
  return n;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
