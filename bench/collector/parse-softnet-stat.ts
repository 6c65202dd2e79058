import { column, ProcParseError } from "./reading.ts";

/**
 * One CPU's row of `/proc/net/softnet_stat`. Counters are 32-bit and wrap; a column the running kernel does not
 * print is `null`, never 0.
 *
 * Columns by kernel (net/core/net-procfs.c `softnet_seq_show()`, earlier net/core/dev.c):
 * - 9 (≤ 2.6.34): processed, dropped, time_squeeze, 5 × 0 (was fastroute), cpu_collision
 * - 10 (2.6.35 – 3.10): + received_rps
 * - 11 (3.11 – 5.9): + flow_limit_count (commit 99bbc7074190)
 * - 13 (5.10 – 6.3): + backlog length, CPU id (commit 7d58e6555870)
 * - 15 (6.4 +): + input_pkt_queue length, process_queue length (column 12 stays their sum)
 */
export interface SoftnetRow {
  /** The CPU this row belongs to: column 13 when printed, else the line index (wrong if a CPU is offline). */
  readonly cpu: number;
  readonly cpuSource: "column" | "line-index";
  /** How many columns the kernel printed. */
  readonly columns: number;
  /** Passes through `__netif_receive_skb_core` (column 1) — not wire packets. */
  readonly processed: number;
  /** Dropped because the backlog was full (`netdev_max_backlog`). */
  readonly dropped: number;
  /** `net_rx_action` ran out of budget or time with work left. */
  readonly timeSqueeze: number;
  /** Column 9: always 0 since 4.x ("was cpu_collision"). */
  readonly cpuCollision: number;
  /** RPS IPIs received (column 10). */
  readonly receivedRps: number | null;
  readonly flowLimitCount: number | null;
  /** Gauge, not a counter: input_pkt_queue + process_queue length at read time (column 12). */
  readonly backlogLen: number | null;
  /** Gauges (columns 14, 15). */
  readonly inputQueueLen: number | null;
  readonly processQueueLen: number | null;
}

/** The counter fields every kernel prints (the rest of a row is identity or gauges). */
export const SOFTNET_COUNTERS_ALWAYS = ["processed", "dropped", "timeSqueeze", "cpuCollision"] as const satisfies readonly (keyof SoftnetRow)[];

/** The counter fields later kernels added: null where not printed. */
export const SOFTNET_COUNTERS_LATER = ["receivedRps", "flowLimitCount"] as const satisfies readonly (keyof SoftnetRow)[];

export function parseSoftnetStat(text: string): SoftnetRow[] {
  const rows = text.split("\n").filter((line) => line.trim() !== "");
  return rows.map((line, index) => {
    const tokens = line.trim().split(/\s+/);
    if (tokens.length < 9) throw new ProcParseError(`softnet_stat: ${tokens.length} columns, expected 9 to 15`);
    const values = tokens.map((token) => {
      if (!/^[0-9a-f]{1,8}$/i.test(token)) throw new ProcParseError(`softnet_stat: ${JSON.stringify(token)}`);
      return Number.parseInt(token, 16);
    });
    const at = (n: number): number | null => values[n - 1] ?? null;
    const cpuColumn = at(13);
    return {
      cpu: cpuColumn ?? index,
      cpuSource: cpuColumn === null ? "line-index" : "column",
      columns: values.length,
      processed: column(values, 0, "softnet_stat processed"),
      dropped: column(values, 1, "softnet_stat dropped"),
      timeSqueeze: column(values, 2, "softnet_stat time_squeeze"),
      cpuCollision: column(values, 8, "softnet_stat cpu_collision"),
      receivedRps: at(10),
      flowLimitCount: at(11),
      backlogLen: at(12),
      inputQueueLen: at(14),
      processQueueLen: at(15),
    };
  });
}
