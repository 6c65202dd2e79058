/**
 * Receive and transmit work the kernel does outside any process: NET_RX / NET_TX softirq runs, hard interrupts and
 * the softnet counters. All global — every CPU, every namespace — so the idle baseline is taken off them and a
 * contaminated window's values include other traffic.
 */
import { fromWindow, softirqRuns, softnetSum } from "./figure-input.ts";
import { figureKinds } from "./figure-groups.ts";
import { selectInterruptLines } from "./parse-interrupts.ts";
import { need } from "./reading.ts";

/** NET_RX softirq runs, all CPUs (runs, not packets: batching lowers them under load). */
export const NET_RX_SOFTIRQS = fromWindow.counter({
  unit: "runs",
  scope: "global",
  source: "/proc/softirqs NET_RX, every CPU",
  compute: (x) => softirqRuns(x, "NET_RX"),
  csv: { column: 30, name: "net_rx_softirqs_per_req", description: "NET_RX softirq runs, all CPUs" },
});

export const NET_TX_SOFTIRQS = fromWindow.counter({
  unit: "runs",
  scope: "global",
  source: "/proc/softirqs NET_TX, every CPU",
  compute: (x) => softirqRuns(x, "NET_TX"),
  csv: { column: 31, name: "net_tx_softirqs_per_req", description: "NET_TX softirq runs, all CPUs" },
});

const oneLine = figureKinds<number>().part({
  unit: "interrupts",
  scope: "global",
  source: "/proc/interrupts, one line, every CPU",
  compute: (count) => count,
});

export const HARD_IRQS = fromWindow.group({
  /** Every /proc/interrupts line's increase, all CPUs. */
  total: fromWindow.counter({
    unit: "interrupts",
    scope: "global",
    source: "/proc/interrupts, every line and CPU",
    compute: (x) => need(x.proc.interrupts, "/proc/interrupts").reduce((sum, line) => sum + line.total, 0),
    csv: { column: 32, name: "hard_irqs_per_req", description: "every /proc/interrupts line, all CPUs (IPIs included)" },
  }),
  /** Lines that moved, keyed by id ("CAL", "LOC", or "38 virtio2-input.0"). */
  byLine: fromWindow.breakdown({
    entries: (x) => {
      const moved: Record<string, number> = {};
      if (!x.proc.interrupts.ok) return moved;
      for (const line of x.proc.interrupts.value) {
        const key = line.devices.length > 0 ? `${line.id} ${line.devices.join(", ")}` : line.id;
        if (line.total > 0) moved[key] = line.total;
      }
      return moved;
    },
    item: oneLine,
  }),
  /** The lines of `CostOptions.nic`. */
  nic: fromWindow.counter({
    unit: "interrupts",
    scope: "global",
    source: "/proc/interrupts, the lines of CostOptions.nic",
    compute: (x) => {
      if (x.options.nic === undefined) throw new Error("no NIC named (veth raises no hard IRQs)");
      const lines = selectInterruptLines(need(x.proc.interrupts, "/proc/interrupts"), x.options.nic);
      if (lines.length === 0) throw new Error(`no /proc/interrupts line matches ${JSON.stringify(x.options.nic)}`);
      return lines.reduce((sum, line) => sum + line.total, 0);
    },
  }),
});

const SOFTNET = "/proc/net/softnet_stat, summed over CPUs:";

/** Σ over CPUs of softnet_stat counters (net/core/net-procfs.c `softnet_seq_show`). */
export const SOFTNET_FIGURES = fromWindow.group({
  /** Passes through `__netif_receive_skb_core` — not wire packets. */
  processed: fromWindow.counter({ unit: "packets", scope: "global", source: `${SOFTNET} processed`, compute: (x) => softnetSum(x, "processed") }),
  /** Dropped because the backlog was full (`netdev_max_backlog`). */
  dropped: fromWindow.counter({ unit: "drops", scope: "global", source: `${SOFTNET} dropped`, compute: (x) => softnetSum(x, "dropped") }),
  /** `net_rx_action` ran out of budget or time with work left. */
  timeSqueezed: fromWindow.counter({ unit: "runs", scope: "global", source: `${SOFTNET} time_squeeze`, compute: (x) => softnetSum(x, "timeSqueeze") }),
  /** RPS inter-processor interrupts received. */
  receivedRps: fromWindow.counter({ unit: "interrupts", scope: "global", source: `${SOFTNET} received_rps`, compute: (x) => softnetSum(x, "receivedRps") }),
  /** Packets dropped by the RPS flow limit. */
  flowLimitCount: fromWindow.counter({ unit: "drops", scope: "global", source: `${SOFTNET} flow_limit_count`, compute: (x) => softnetSum(x, "flowLimitCount") }),
});
