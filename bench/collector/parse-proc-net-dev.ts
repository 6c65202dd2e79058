import { fieldRecord } from "./field-record.ts";
import { column, ProcParseError } from "./reading.ts";

/**
 * One interface's counters as `/proc/net/dev` prints them (64-bit, `struct rtnl_link_stats64`).
 *
 * Some columns are sums, exactly as `dev_seq_printf_stats()` in net/core/net-procfs.c prints them:
 * `rxDrop` = rx_dropped + rx_missed_errors, `rxFrame` = rx_length + rx_over + rx_crc + rx_frame errors,
 * `txCarrier` = tx_carrier + tx_aborted + tx_window + tx_heartbeat errors.
 */
export interface NetDevCounters {
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrs: number;
  readonly rxDrop: number;
  readonly rxFifo: number;
  readonly rxFrame: number;
  readonly rxCompressed: number;
  readonly rxMulticast: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrs: number;
  readonly txDrop: number;
  readonly txFifo: number;
  readonly txColls: number;
  readonly txCarrier: number;
  readonly txCompressed: number;
}

export const NET_DEV_FIELDS = [
  "rxBytes",
  "rxPackets",
  "rxErrs",
  "rxDrop",
  "rxFifo",
  "rxFrame",
  "rxCompressed",
  "rxMulticast",
  "txBytes",
  "txPackets",
  "txErrs",
  "txDrop",
  "txFifo",
  "txColls",
  "txCarrier",
  "txCompressed",
] as const satisfies readonly (keyof NetDevCounters)[];

/**
 * Parses `/proc/net/dev` or `/proc/<pid>/net/dev` into counters per interface name.
 *
 * The two header lines are skipped; each device line is `"%6s: %7llu …"` with 16 numbers. Interface names cannot
 * contain ':' (`dev_valid_name()`), so the first colon ends the name.
 */
export function parseProcNetDev(text: string): Record<string, NetDevCounters> {
  const out: Record<string, NetDevCounters> = {};
  for (const line of text.split("\n")) {
    if (line.includes("|")) continue; // the two header lines
    const colon = line.indexOf(":");
    if (colon < 0) {
      if (line.trim() !== "") throw new ProcParseError(`net/dev: unrecognised line ${JSON.stringify(line)}`);
      continue;
    }
    const name = line.slice(0, colon).trim();
    const values = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map((token) => parseDecimal(token, line));
    if (values.length < NET_DEV_FIELDS.length) {
      throw new ProcParseError(`net/dev: ${name} has ${values.length} columns, expected ${NET_DEV_FIELDS.length}`);
    }
    out[name] = fieldRecord(NET_DEV_FIELDS, (field, i) => column(values, i, `net/dev ${name} ${field}`));
  }
  return out;
}

function parseDecimal(token: string, line: string): number {
  if (!/^\d+$/.test(token)) throw new ProcParseError(`net/dev: ${JSON.stringify(token)} is not a count in ${line}`);
  return Number(token);
}
