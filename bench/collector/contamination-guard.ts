import type { NetnsDelta, SnapshotDelta } from "./delta-types.ts";
import { need } from "./reading.ts";

export interface ContaminationCheck {
  /** Σ over CPUs of softnet `processed`, before any baseline subtraction. */
  readonly processed: number | null;
  /** Packets the run's own interfaces received (see `method`). */
  readonly runRxPackets: number | null;
  /** processed − runRxPackets: 0 on a clean window, positive when other traffic (loopback too) ran. */
  readonly excessPackets: number | null;
  /** excessPackets > tolerance; null when it cannot be told. */
  readonly contaminated: boolean | null;
  /**
   * `both-ends-rx`: rx of the server and client namespaces' interfaces (the veth ends).
   * `server-rx-plus-tx`: no client namespace read — a veth pair's tx at one end is rx at the other, so the server
   * end's rx + tx stands for both ends' rx (exact unless the pair dropped).
   * `loopback-rx`: the loopback topology, where `lo` rx is every packet once.
   * With a bridge namespace read (`SnapshotSpec.bridgeNetns`), its ports' rx is added: on the bridge and docker
   * topologies every packet is received once by a bridge port and once by the eth0 it is for (with br_netfilter
   * a DNATed packet is bridged, not passed up through the bridge device).
   */
  readonly method: "both-ends-rx" | "server-rx-plus-tx" | "loopback-rx";
  readonly reason: string | null;
}

/**
 * The contamination guard of KERNEL-NOTES.md: softnet_stat and the other global counters see every packet on the
 * host, the run's namespaces only their own. If the kernel processed more packets than the run's interfaces
 * received, something else ran in the window and its global figures (softirqs, /proc/stat) should be flagged.
 */
export function contaminationGuard(
  delta: SnapshotDelta,
  options: { readonly tolerancePackets?: number } = {},
): ContaminationCheck {
  const tolerance = options.tolerancePackets ?? 0;
  const loopback = Object.keys(delta.server.interfaces).every((name) => name === "lo");
  const method: ContaminationCheck["method"] = loopback
    ? "loopback-rx"
    : delta.client !== null
      ? "both-ends-rx"
      : "server-rx-plus-tx";
  let processed: number | null = null;
  let runRxPackets: number | null = null;
  try {
    const softnet = need(delta.baseline?.raw.softnet ?? delta.softnet, "softnet_stat");
    processed = Object.values(softnet).reduce((sum, row) => sum + row.processed, 0);
    runRxPackets =
      (method === "both-ends-rx"
        ? rx(delta.server, false) + rx(delta.client as NetnsDelta, false)
        : rx(delta.server, method === "server-rx-plus-tx")) + (delta.bridge != null ? rx(delta.bridge, false) : 0);
  } catch (error) {
    return { processed, runRxPackets, excessPackets: null, contaminated: null, method, reason: (error as Error).message };
  }
  const excessPackets = processed - runRxPackets;
  return { processed, runRxPackets, excessPackets, contaminated: excessPackets > tolerance, method, reason: null };
}

function rx(netns: NetnsDelta, withTx: boolean): number {
  return Object.entries(netns.interfaces).reduce((sum, [name, reading]) => {
    const counters = need(reading, `${netns.source}/dev ${name}`);
    return sum + counters.rxPackets + (withTx ? counters.txPackets : 0);
  }, 0);
}
