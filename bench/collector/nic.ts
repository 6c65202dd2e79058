/**
 * What a host's agent says of an interface the benchmark crosses, for the result's `hosts[]`: its driver (none for
 * a veth or a bridge), MTU and address, the offloads that change what its counters count, and — a real NIC's —
 * its MSI interrupt lines and the CPUs each may run on, which decide where the hard IRQs and their softirqs land.
 *
 * Read from sysfs and procfs of the agent's own network namespace (`ip netns exec` remounts /sys for it, so
 * /sys/class/net lists that namespace's devices) and `ethtool -k`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import { basename } from "node:path";
import { readMsiIrqs } from "./kernel-info.ts";
import { offloadStateOf, parseEthtoolFeatures } from "../topology/index.ts";
import type { OffloadState } from "../topology/index.ts";

export interface NicRecord {
  readonly name: string;
  /** The kernel driver bound to its device; null for a virtual interface (veth, bridge), which has no device. */
  readonly driver: string | null;
  readonly mtu: number | null;
  readonly mac: string | null;
  /** null when ethtool is missing or the interface has no such features. */
  readonly offloads: OffloadState | null;
  /** The device's MSI/MSI-X lines and each one's smp_affinity_list; empty for a virtual interface. */
  readonly irqs: readonly { readonly irq: number; readonly cpus: string | null }[];
  /** Why something above could not be read, where it matters. */
  readonly notes: readonly string[];
}

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
};

export function describeNic(name: string): NicRecord {
  const notes: string[] = [];
  // A name is a path component below: refuse anything but an interface name's own characters.
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(name)) return { name, driver: null, mtu: null, mac: null, offloads: null, irqs: [], notes: [`not an interface name: ${JSON.stringify(name)}`] };
  const sys = `/sys/class/net/${name}`;
  const mtuText = readText(`${sys}/mtu`);
  if (mtuText === null) notes.push(`${sys} is missing: no such interface on this host`);
  let driver: string | null = null;
  try {
    driver = basename(readlinkSync(`${sys}/device/driver`));
  } catch {
    // No device behind it: veth, bridge, loopback.
  }
  const msi = readMsiIrqs(name);
  const irqs = msi.ok ? msi.value.map((irq) => ({ irq, cpus: readText(`/proc/irq/${irq}/smp_affinity_list`) })) : [];
  if (driver !== null && !msi.ok) notes.push(`no MSI lines: ${msi.reason}`);
  const ethtool = spawnSync("ethtool", ["-k", name], { encoding: "utf8", timeout: 5_000 });
  const offloads = ethtool.status === 0 ? offloadStateOf(parseEthtoolFeatures(ethtool.stdout)) : null;
  if (offloads === null) notes.push(ethtool.error !== undefined ? "ethtool is missing (Debian package ethtool)" : `ethtool -k ${name} failed`);
  return { name, driver, mtu: mtuText === null ? null : Number(mtuText), mac: readText(`${sys}/address`), offloads, irqs, notes };
}
