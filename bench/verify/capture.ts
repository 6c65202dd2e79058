/**
 * --verify: an independent packet count from tcpdump on the server's interface, to set beside the collector's.
 * The capture runs unpinned in the server's namespace; its own CPU is not part of the run's figures' meaning
 * (a verified run's CPU figures include tcpdump's wake-ups), which the result says.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnTracked, withTimeout } from "../support/child-process.ts";
import type { TrackedChild } from "../support/child-process.ts";
import { countPcapPackets } from "./pcap.ts";
import type { PcapCount } from "./pcap.ts";

/** The packets tcpdump captured, in the window and in all, and what the kernel dropped before tcpdump read them. */
export type CaptureCount = PcapCount & { readonly droppedByKernel: number | null };

export interface Capture {
  /** Stops tcpdump (SIGINT, so it flushes) and counts the packets in the window. Removes the file. */
  finish(fromEpochUs: number, toEpochUs: number): Promise<CaptureCount>;
  /** Kills it and removes the file, without counting. */
  abort(): void;
}

const READY_TIMEOUT_MS = 10_000;
const FLUSH_WAIT_MS = 250;

/** Parses tcpdump's closing "N packets dropped by kernel" line. */
export function droppedByKernel(stderrLines: readonly string[]): number | null {
  for (const line of stderrLines) {
    const m = /^(\d+) packets? dropped by kernel/.exec(line.trim());
    if (m !== null) return Number(m[1]);
  }
  return null;
}

export async function startCapture(options: { namespace: string | null; iface: string }): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), "wirecost-verify-"));
  const file = join(dir, "capture.pcap");
  // Headers only (-s 128) into a large buffer (-B, KiB) so the capture keeps up; -U flushes per packet.
  // --immediate-mode hands each packet over at once: with TPACKET_V3's default block timeout, packets still in
  // an unretired ring block when SIGINT arrives are never written (seen here: 2.4% short, no drop reported).
  const tcpdump = ["tcpdump", "-i", options.iface, "-n", "-s", "128", "-B", "32768", "--immediate-mode", "-U", "-w", file];
  const command = options.namespace === null ? { file: "tcpdump", args: tcpdump.slice(1) } : { file: "ip", args: ["netns", "exec", options.namespace, ...tcpdump] };
  let child: TrackedChild | undefined;
  const listening = new Promise<void>((resolve, reject) => {
    child = spawnTracked("tcpdump", command, (line) => {
      if (/listening on/.test(line)) resolve();
    });
    void child.exited.then(() => reject(new Error(`tcpdump exited before capturing: ${child?.stderrTail().join(" | ")}`)));
  });
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    await withTimeout(listening, READY_TIMEOUT_MS, "tcpdump did not start listening within 10 s");
  } catch (error) {
    child?.process.kill("SIGKILL");
    cleanup();
    throw error;
  }
  const running = child as TrackedChild;
  return {
    async finish(fromEpochUs, toEpochUs) {
      // Let the last packets of the window reach the file before stopping.
      await sleep(FLUSH_WAIT_MS);
      running.process.kill("SIGINT");
      await withTimeout(running.exited, 10_000, "tcpdump did not stop within 10 s").catch(() => running.stop(100));
      try {
        const count = countPcapPackets(readFileSync(file), fromEpochUs, toEpochUs);
        return { ...count, droppedByKernel: droppedByKernel(running.stderrTail()) };
      } finally {
        cleanup();
      }
    },
    abort() {
      running.process.kill("SIGKILL");
      cleanup();
    },
  };
}
