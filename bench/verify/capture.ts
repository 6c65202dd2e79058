/**
 * --verify: an independent packet count from tcpdump on the server's interface, to set beside the collector's.
 * The capture runs unpinned in the server's namespace; its own CPU is not part of the run's figures' meaning
 * (a verified run's CPU figures include tcpdump's wake-ups), which the result says.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnTracked, withTimeout } from "../support/child-process.ts";
import type { TrackedChild } from "../support/child-process.ts";
import { createPcapCounter } from "./pcap.ts";
import type { PcapCount } from "./pcap.ts";

/**
 * The packets tcpdump captured, in the window and in all, and what the kernel dropped before tcpdump read them; and,
 * when the file reached CAPTURE_CAP_BYTES, when tcpdump was stopped (its count then ends there).
 */
export type CaptureCount = PcapCount & { readonly droppedByKernel: number | null; readonly stoppedAtCap?: { readonly bytes: number; readonly atEpochUs: number } };

/**
 * The capture file's cap. Headers only, a packet takes 16 + at most 128 bytes, so 4 GiB hold about 30 million packets:
 * some minutes at the highest rates here, hours at the default run's. Past it tcpdump is stopped and the
 * verification says the count covers only the start of the window.
 */
export const CAPTURE_CAP_BYTES = 4 * 2 ** 30;
const CAP_CHECK_MS = 1000;
const READ_CHUNK_BYTES = 1 << 20;

/** Counts a pcap file's packets in the window, a chunk at a time. */
function countFile(file: string, fromEpochUs: number, toEpochUs: number): PcapCount {
  const counter = createPcapCounter(fromEpochUs, toEpochUs);
  const fd = openSync(file, "r");
  try {
    const chunk = new Uint8Array(READ_CHUNK_BYTES);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) counter.push(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return counter.finish();
}

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

export async function startCapture(options: { namespace: string | null; iface: string; capBytes?: number; capCheckMs?: number }): Promise<Capture> {
  const capBytes = options.capBytes ?? CAPTURE_CAP_BYTES;
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
  let stoppedAtCap: CaptureCount["stoppedAtCap"];
  const capCheck = setInterval(() => {
    let bytes = 0;
    try {
      bytes = statSync(file).size;
    } catch {
      return;
    }
    if (bytes < capBytes) return;
    clearInterval(capCheck);
    stoppedAtCap = { bytes, atEpochUs: Date.now() * 1000 };
    running.process.kill("SIGINT");
  }, options.capCheckMs ?? CAP_CHECK_MS);
  capCheck.unref();
  return {
    async finish(fromEpochUs, toEpochUs) {
      clearInterval(capCheck);
      // Let the last packets of the window reach the file before stopping.
      if (stoppedAtCap === undefined) await sleep(FLUSH_WAIT_MS);
      running.process.kill("SIGINT");
      await withTimeout(running.exited, 10_000, "tcpdump did not stop within 10 s").catch(() => running.stop(100));
      try {
        const count = countFile(file, fromEpochUs, toEpochUs);
        // Stopped after the window ended, the count of the window is whole.
        const cutWindow = stoppedAtCap !== undefined && stoppedAtCap.atEpochUs < toEpochUs;
        return { ...count, droppedByKernel: droppedByKernel(running.stderrTail()), ...(cutWindow ? { stoppedAtCap } : {}) };
      } finally {
        cleanup();
      }
    },
    abort() {
      clearInterval(capCheck);
      running.process.kill("SIGKILL");
      cleanup();
    },
  };
}
