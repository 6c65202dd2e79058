import type { NetDevCounters } from "./parse-proc-net-dev.ts";
import { ProcParseError } from "./reading.ts";

/**
 * Turns the files of `/sys/class/net/<dev>/statistics/` (name → text) into the same counters `/proc/net/dev`
 * prints, summing the same fields `dev_seq_printf_stats()` (net/core/net-procfs.c) sums.
 *
 * Prefer `/proc/<pid>/net/dev`: sysfs follows the namespace of the sysfs *mount*, not of the reader, and needs one
 * read per counter (docs/kernel-notes.md § "Reading the counters of another namespace"). This exists for checking one
 * source against the other.
 */
export function parseSysClassNetStatistics(files: Readonly<Record<string, string>>): NetDevCounters {
  const get = (name: string): number => {
    const text = files[name];
    if (text === undefined) throw new ProcParseError(`statistics: ${name} is missing`);
    const trimmed = text.trim();
    if (!/^\d+$/.test(trimmed)) throw new ProcParseError(`statistics: ${name} is ${JSON.stringify(trimmed)}`);
    return Number(trimmed);
  };
  return {
    rxBytes: get("rx_bytes"),
    rxPackets: get("rx_packets"),
    rxErrs: get("rx_errors"),
    rxDrop: get("rx_dropped") + get("rx_missed_errors"),
    rxFifo: get("rx_fifo_errors"),
    rxFrame: get("rx_length_errors") + get("rx_over_errors") + get("rx_crc_errors") + get("rx_frame_errors"),
    rxCompressed: get("rx_compressed"),
    rxMulticast: get("multicast"),
    txBytes: get("tx_bytes"),
    txPackets: get("tx_packets"),
    txErrs: get("tx_errors"),
    txDrop: get("tx_dropped"),
    txFifo: get("tx_fifo_errors"),
    txColls: get("collisions"),
    txCarrier:
      get("tx_carrier_errors") + get("tx_aborted_errors") + get("tx_window_errors") + get("tx_heartbeat_errors"),
    txCompressed: get("tx_compressed"),
  };
}
