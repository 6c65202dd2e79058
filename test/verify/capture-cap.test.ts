/**
 * --verify's capture file is capped: tcpdump is stopped when the file reaches the cap, the count then covers only the
 * window's start and says so, and the file is counted a chunk at a time. Real tcpdump on loopback with a 4 KiB cap,
 * fed by a local TCP connection of this test's own.
 */
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { startCapture } from "../../bench/verify/capture.ts";
import { hasCommand } from "../../bench/support/tools.ts";

const can = hasCommand("tcpdump") && process.getuid?.() === 0;

/** ~100 echoed writes on a local connection of the test's own (far over 4 KiB of headers), then time for the size check. */
async function traffic(): Promise<void> {
  const server = createServer((socket) => socket.on("data", (d) => socket.write(d)));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const client = createConnection(port, "127.0.0.1");
  await once(client, "connect");
  client.on("data", () => {});
  for (let i = 0; i < 100; i++) {
    client.write(Buffer.alloc(100, i));
    await sleep(2);
  }
  // The tests check the size every 100 ms (a run, every second).
  await sleep(400);
  client.destroy();
  server.close();
}

describe.skipIf(!can)(`the --verify capture${can ? "" : " (skipped: needs tcpdump and root)"}`, () => {
  it("stops tcpdump at its size cap, inside the window, and says its count is cut", async () => {
    const capture = await startCapture({ namespace: null, iface: "lo", capBytes: 4096, capCheckMs: 100 });
    const fromUs = Date.now() * 1000;
    await traffic();
    const count = await capture.finish(fromUs, Date.now() * 1000 + 60_000_000);
    expect(count.stoppedAtCap?.bytes).toBeGreaterThanOrEqual(4096);
    expect(count.stoppedAtCap?.atEpochUs).toBeGreaterThan(fromUs);
    expect(count.total).toBeGreaterThan(20);
    expect(count.inWindow).toBeGreaterThan(20);
    expect(count.inWindow).toBeLessThanOrEqual(count.total);
  });

  it("does not call the count cut when the cap was reached after the window", async () => {
    const capture = await startCapture({ namespace: null, iface: "lo", capBytes: 4096, capCheckMs: 100 });
    const windowEndUs = Date.now() * 1000;
    await traffic();
    const count = await capture.finish(0, windowEndUs);
    expect(count.stoppedAtCap).toBeUndefined();
    expect(count.total).toBeGreaterThan(20);
  });
});
