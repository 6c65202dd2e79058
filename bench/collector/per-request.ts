import type { NetnsDelta, ProcessDelta, SnapshotDelta } from "./delta-types.ts";
import { scaleFigures, type CostFigures, type CostOptions, type CpuTimeUs, type KernelThreadsUs } from "./cost-figures.ts";
import { type DropCounts, dropCounts } from "./drops.ts";
import { selectInterruptLines } from "./parse-interrupts.ts";
import type { SnmpTable } from "./parse-net-snmp.ts";
import type { CpuTimes } from "./parse-proc-stat.ts";
import { sumPerCpu } from "./per-cpu.ts";
import { need, printed, type Reading } from "./reading.ts";

/** The window's sums (issue 3's `totals`). Pure. */
export function windowTotals(delta: SnapshotDelta, options: CostOptions = {}): CostFigures {
  const missing: Record<string, string> = {};
  const figure = (path: string, compute: () => number): number | null => {
    try {
      return compute();
    } catch (error) {
      missing[path] = error instanceof Error ? error.message : String(error);
      return null;
    }
  };
  const usPerTick = 1e6 / delta.userHz;
  const stat = () => need(delta.stat, "/proc/stat");
  const cpus = options.cpus ?? (delta.stat.ok ? Object.keys(delta.stat.value.cpus).map(Number) : []);
  const cpuTimes = (cpu: number): CpuTimes => {
    const times = stat().cpus[String(cpu)];
    if (times === undefined) throw new Error(`/proc/stat has no cpu${cpu}`);
    return times;
  };
  const overCpus = (ticks: (t: CpuTimes) => number): number =>
    cpus.reduce((sum, cpu) => sum + ticks(cpuTimes(cpu)), 0) * usPerTick;
  const perCpu: Record<string, CpuTimeUs> = {};
  if (delta.stat.ok) {
    for (const [cpu, t] of Object.entries(delta.stat.value.cpus)) {
      try {
        perCpu[cpu] = {
          user: (t.userTicks + t.niceTicks) * usPerTick,
          system: t.systemTicks * usPerTick,
          softirq: printed(t.softirqTicks, "softirq") * usPerTick,
          irq: printed(t.irqTicks, "irq") * usPerTick,
          busy: busyTicks(t) * usPerTick,
        };
      } catch (error) {
        missing[`cpuUs.perCpu.${cpu}`] = (error as Error).message;
      }
    }
  } else {
    missing["cpuUs.perCpu"] = delta.stat.reason;
  }

  const server = delta.server;
  const tcp = (from: NetnsDelta, field: string) => snmpField(from.snmp, "Tcp", field, from.source);
  const proc = (which: "server" | "generator") => need(delta.processes[which], `${which} process`);
  const ticksUs = (which: "server" | "generator", field: "utimeTicks" | "stimeTicks") =>
    need(proc(which).cpu, `${which} /proc/<pid>/stat`)[field] * usPerTick;
  const runUs = (which: "server" | "generator") => need(proc(which).schedstat, `${which} schedstat`).runNs / 1000;
  const switches = (p: ProcessDelta) => {
    const c = need(p.contextSwitches, "context switches");
    return c.voluntary + c.nonvoluntary;
  };
  const softirqs = (type: string) => {
    const counts = need(delta.softirqs, "/proc/softirqs")[type];
    if (counts === undefined) throw new Error(`/proc/softirqs has no ${type}`);
    return sumPerCpu(counts);
  };
  const softnet = (field: "processed" | "dropped" | "timeSqueeze" | "receivedRps" | "flowLimitCount") =>
    Object.values(need(delta.softnet, "softnet_stat")).reduce(
      (sum, row) => sum + printed(row[field], `softnet_stat ${field}`),
      0,
    );
  const interfaces = (counter: "Packets" | "Bytes") =>
    Object.entries(server.interfaces).reduce((sum, [name, reading]) => {
      const c = need(reading, `${server.source}/dev ${name}`);
      return sum + c[`rx${counter}`] + (name === "lo" ? 0 : c[`tx${counter}`]);
    }, 0);

  const oneWay = (way: "rx" | "tx", counter: "Packets" | "Bytes") =>
    Object.entries(server.interfaces).reduce((sum, [name, reading]) => {
      if (name === "lo" && way === "tx") throw new Error("loopback counts every packet as rx and tx: there is no separate direction");
      return sum + need(reading, `${server.source}/dev ${name}`)[`${way}${counter}`];
    }, 0);

  const byLine: Record<string, number> = {};
  if (delta.interrupts.ok) {
    for (const line of delta.interrupts.value) {
      const key = line.devices.length > 0 ? `${line.id} ${line.devices.join(", ")}` : line.id;
      if (line.total > 0) byLine[key] = line.total;
    }
  }

  const drops = (netns: NetnsDelta | null, side: "server" | "client"): DropCounts | null => {
    if (netns === null) {
      missing[`drops.${side}`] = `no ${side} namespace was read`;
      return null;
    }
    return dropCounts(netns, (field, reason) => {
      missing[`drops.${side}.${field}`] = reason;
    });
  };

  return {
    packets: figure("packets", () => interfaces("Packets")),
    bytes: figure("bytes", () => interfaces("Bytes")),
    direction: {
      packetsRx: figure("direction.packetsRx", () => oneWay("rx", "Packets")),
      packetsTx: figure("direction.packetsTx", () => oneWay("tx", "Packets")),
      bytesRx: figure("direction.bytesRx", () => oneWay("rx", "Bytes")),
      bytesTx: figure("direction.bytesTx", () => oneWay("tx", "Bytes")),
      tcpInSegs: figure("direction.tcpInSegs", () => tcp(server, "InSegs")),
      tcpOutSegs: figure("direction.tcpOutSegs", () => tcp(server, "OutSegs")),
    },
    tcpSegments: figure("tcpSegments", () => tcp(server, "InSegs") + tcp(server, "OutSegs")),
    retransSegments: figure("retransSegments", () => tcp(server, "RetransSegs")),
    connectionOpens: figure("connectionOpens", () => {
      if (options.connectionOpensFrom !== "client-active") return tcp(server, "PassiveOpens");
      if (delta.client === null) throw new Error("no client namespace was read");
      return tcp(delta.client, "ActiveOpens");
    }),
    netRxSoftirqs: figure("netRxSoftirqs", () => softirqs("NET_RX")),
    netTxSoftirqs: figure("netTxSoftirqs", () => softirqs("NET_TX")),
    hardIrqs: {
      total: figure("hardIrqs.total", () =>
        need(delta.interrupts, "/proc/interrupts").reduce((sum, line) => sum + line.total, 0),
      ),
      byLine,
      nic: figure("hardIrqs.nic", () => {
        if (options.nic === undefined) throw new Error("no NIC named (veth raises no hard IRQs)");
        const lines = selectInterruptLines(need(delta.interrupts, "/proc/interrupts"), options.nic);
        if (lines.length === 0) throw new Error(`no /proc/interrupts line matches ${JSON.stringify(options.nic)}`);
        return lines.reduce((sum, line) => sum + line.total, 0);
      }),
    },
    contextSwitches: {
      server: figure("contextSwitches.server", () => switches(proc("server"))),
      generator: figure("contextSwitches.generator", () => switches(proc("generator"))),
      system: figure("contextSwitches.system", () => printed(stat().ctxt, "/proc/stat ctxt")),
    },
    cpuUs: {
      serverUser: figure("cpuUs.serverUser", () => ticksUs("server", "utimeTicks")),
      serverSys: figure("cpuUs.serverSys", () => ticksUs("server", "stimeTicks")),
      serverRun: figure("cpuUs.serverRun", () => runUs("server")),
      clientUser: figure("cpuUs.clientUser", () => ticksUs("generator", "utimeTicks")),
      clientSys: figure("cpuUs.clientSys", () => ticksUs("generator", "stimeTicks")),
      clientRun: figure("cpuUs.clientRun", () => runUs("generator")),
      softirq: figure("cpuUs.softirq", () => overCpus((t) => printed(t.softirqTicks, "/proc/stat softirq"))),
      irq: figure("cpuUs.irq", () => overCpus((t) => printed(t.irqTicks, "/proc/stat irq"))),
      total: figure("cpuUs.total", () => overCpus(busyTicks)),
      steal: figure("cpuUs.steal", () => overCpus((t) => printed(t.stealTicks, "/proc/stat steal"))),
      cpus: [...cpus].sort((x, y) => x - y),
      perCpu,
    },
    softnet: {
      processed: figure("softnet.processed", () => softnet("processed")),
      dropped: figure("softnet.dropped", () => softnet("dropped")),
      timeSqueezed: figure("softnet.timeSqueezed", () => softnet("timeSqueeze")),
      receivedRps: figure("softnet.receivedRps", () => softnet("receivedRps")),
      flowLimitCount: figure("softnet.flowLimitCount", () => softnet("flowLimitCount")),
    },
    drops: { server: drops(delta.server, "server"), client: drops(delta.client, "client") },
    kernelThreads: kernelThreadsUs(delta, missing),
    missing,
  };
}

/** ksoftirqd by CPU and napi threads by name, schedstat ns → µs. */
function kernelThreadsUs(delta: SnapshotDelta, missing: Record<string, string>): KernelThreadsUs | null {
  const threads = delta.kernelThreads;
  if (threads === undefined || !threads.ok) {
    missing["kernelThreads"] = threads?.reason ?? "not measured (no kernelThreads in the snapshots)";
    return null;
  }
  const ksoftirqdUs: Record<string, number> = {};
  const napiUs: Record<string, number> = {};
  for (const t of threads.value) {
    if (t.runNs === null) {
      missing[`kernelThreads.${t.name}`] = t.reason ?? "not read";
      continue;
    }
    if (t.kind === "ksoftirqd") ksoftirqdUs[String(t.cpu)] = (ksoftirqdUs[String(t.cpu)] ?? 0) + t.runNs / 1000;
    else napiUs[t.name] = (napiUs[t.name] ?? 0) + t.runNs / 1000;
  }
  return { ksoftirqdUs, napiUs };
}

/** Issue 3's `perRequest`: the window's sums divided by the completed requests. Pure. */
export function perRequest(delta: SnapshotDelta, requests: number, options: CostOptions = {}): CostFigures {
  const totals = windowTotals(delta, options);
  if (!(requests > 0)) {
    const reason = `no completed requests (${requests})`;
    return scaleFigures(totals, () => null, reason);
  }
  return scaleFigures(totals, (value) => value / requests, null);
}

function busyTicks(t: CpuTimes): number {
  return (
    t.userTicks + t.niceTicks + t.systemTicks + printed(t.irqTicks, "/proc/stat irq") +
    printed(t.softirqTicks, "/proc/stat softirq")
  );
}

function snmpField(table: Reading<SnmpTable>, section: string, field: string, source: string): number {
  const value = need(table, `${source}/snmp`)[section]?.[field];
  if (value === undefined) throw new Error(`${source}/snmp has no ${section}: ${field}`);
  return value;
}
