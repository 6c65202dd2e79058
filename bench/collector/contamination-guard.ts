import type { NetnsDelta, SnapshotDelta } from "./delta-types.ts";
import { describeError, need } from "./reading.ts";

export interface ContaminationCheck {
  /** Σ over CPUs of softnet `processed`, before any baseline subtraction. */
  readonly processed: number | null;
  /** Packets the run's own interfaces received (see `method`). */
  readonly runRxPackets: number | null;
  /** processed − runRxPackets: 0 on a clean window, positive when other traffic (loopback too) ran. */
  readonly excessPackets: number | null;
  /** Excess allowed before a window counts as contaminated (see `contaminationTolerance`); null when not computed. */
  readonly tolerancePackets: number | null;
  /** excessPackets > tolerancePackets; null when it cannot be told. */
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
 * How many packets of excess a window may show and still count as clean: 4, or 0.1% of the run's own received
 * packets if that is more. The counters are not read in one instant — softnet_stat, then each namespace's
 * /proc/net/dev — so packets arriving between the reads skew the difference either way: measured here up to
 * −221 of 562 888 (0.04%) at 30 000 req/s, and ±1 on quiet docker-topology windows. Traffic that adds less than
 * 0.1% of the run's packets cannot move a per-request softirq or kernel-CPU figure beyond its tick resolution.
 */
export function contaminationTolerance(runRxPackets: number): number {
  return Math.max(4, Math.ceil(runRxPackets * 0.001));
}

/**
 * The contamination guard (docs/kernel-notes.md § "The contamination guard"): softnet_stat and the other global
 * counters see every packet on the host, the run's namespaces only their own. If the kernel processed more packets
 * than the run's interfaces received, something else ran in the window and its global figures (softirqs, /proc/stat)
 * should be flagged.
 */
export function contaminationGuard(
  delta: SnapshotDelta,
  options: { readonly tolerancePackets?: number } = {},
): ContaminationCheck {
  const { server, client, bridge } = delta;
  const loopback = Object.keys(server.interfaces).every((name) => name === "lo");
  const [method, ownRx]: readonly [ContaminationCheck["method"], () => number] = loopback
    ? ["loopback-rx", () => rx(server, false)]
    : client !== null
      ? ["both-ends-rx", () => rx(server, false) + rx(client, false)]
      : ["server-rx-plus-tx", () => rx(server, true)];
  let processed: number | null = null;
  let runRxPackets: number | null = null;
  try {
    const softnet = need(delta.baseline?.raw.softnet ?? delta.softnet, "softnet_stat");
    processed = Object.values(softnet).reduce((sum, row) => sum + row.processed, 0);
    runRxPackets = ownRx() + (bridge != null ? rx(bridge, false) : 0);
  } catch (error) {
    const reason = describeError(error);
    return { processed, runRxPackets, excessPackets: null, tolerancePackets: null, contaminated: null, method, reason };
  }
  const excessPackets = processed - runRxPackets;
  const tolerancePackets = options.tolerancePackets ?? contaminationTolerance(runRxPackets);
  return { processed, runRxPackets, excessPackets, tolerancePackets, contaminated: excessPackets > tolerancePackets, method, reason: null };
}

function rx(netns: NetnsDelta, withTx: boolean): number {
  return Object.entries(netns.interfaces).reduce((sum, [name, reading]) => {
    const counters = need(reading, `${netns.source}/dev ${name}`);
    return sum + counters.rxPackets + (withTx ? counters.txPackets : 0);
  }, 0);
}
