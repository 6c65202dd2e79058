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
  perRequest,
  readSnapshot,
  subtractBaseline,
  toTimeSeries,
  windowTotals,
} from "../collector/index.ts";
import type { ProcReader, Sampler, Snapshot, SnapshotSpec } from "../collector/index.ts";
import type { KernelFigures, Verification } from "../results/kernel-figures.ts";
import type { GeneratorReport } from "../load/report.ts";
import type { Placer, ScenarioObserver } from "./scenario.ts";
import { startCapture } from "../verify/capture.ts";
import type { Capture, CaptureCount } from "../verify/capture.ts";

export interface MeasureOptions {
  readonly sampleHz: number;
  readonly baselineMs: number;
  /** Capture the server interface with tcpdump and set its packet count beside the collector's. */
  readonly verify: boolean;
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
    // Kept-open fds on /proc/<pid>/net/* pin the namespace: close them before the topology is removed.
    reader?.close();
  };
  const cpus = [...new Set([placer.serverCpu, placer.clientCpu].filter((c): c is number => c !== null))].sort();

  return {
    close,
    async beforeLoad(pids) {
      if (closed) return;
      reader = createProcReader();
      spec = snapshotSpecFor(placer, pids);
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
      sampler = createSampler({ hz: options.sampleHz, spec });
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
        atStart = full();
        phaseEpochMs.measure = epochMs;
      } else {
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
      const overhead = sampler?.overhead();
      const figures = kernelFigures({
        atStart: start,
        atEnd: end,
        baseline: baseline ?? null,
        requests: report.completedInWindow,
        cpus,
        serverCpu: placer.serverCpu,
        clientCpu: placer.clientCpu,
        samples: sampler?.samples ?? [],
        sampleHz: options.sampleHz,
        overhead: { samples: overhead?.samples ?? 0, overheadCpuPct: overhead?.overheadCpuPct ?? 0, meanReadUs: overhead?.meanReadUs ?? 0 },
        phaseEpochMs,
        ...(verified === undefined ? {} : { verified: { iface, ...verified } }),
      });
      close();
      return figures;
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
  /** The time series' lean samples. */
  readonly samples: readonly Snapshot[];
  readonly sampleHz: number;
  readonly overhead: { readonly samples: number; readonly overheadCpuPct: number; readonly meanReadUs: number };
  /** When the generator said the window opened and closed (epoch ms). */
  readonly phaseEpochMs: { readonly measure?: number; readonly drain?: number };
  /** --verify's count of the window's packets at the server interface. */
  readonly verified?: CaptureCount & { readonly iface: string };
}

/** The kernel figures of one scenario from its inputs. Pure. */
export function kernelFigures(input: KernelFigureInputs): KernelFigures {
  const { atStart, atEnd } = input;
  const raw = diffSnapshots(atStart, atEnd);
  const idle = input.baseline === null ? null : diffSnapshots(input.baseline.from, input.baseline.to);
  const rates = idle === null ? undefined : baselineRates(idle);
  const baselineWindowMs = idle?.windowMs ?? 0;
  const delta = rates === undefined ? raw : subtractBaseline(raw, rates, raw.windowMs / 1000);
  const costOptions = input.cpus.length > 0 ? { cpus: input.cpus } : {};
  const totals = windowTotals(delta, costOptions);
  const v = input.verified;
  const verify: Verification | undefined =
    v === undefined
      ? undefined
      : {
          tool: "tcpdump",
          interface: v.iface,
          capturedInWindow: v.inWindow,
          collectorPackets: totals.packets,
          ...compareCounts(v.inWindow, totals.packets),
          droppedByKernel: v.droppedByKernel,
          capturedTotal: v.total,
          note: "tcpdump ran during the window: this scenario's CPU figures include its wake-ups",
        };
  return {
    perRequest: perRequest(delta, input.requests, costOptions),
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
    timeSeries: toTimeSeries(input.samples),
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
    },
    ...(verify === undefined ? {} : { verify }),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
