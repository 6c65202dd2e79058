/**
 * A TLS scenario's `tls` in result.json: what was negotiated under `--tls-version`, and on https1-close the measured
 * window's handshakes, every one resumed. A real scenario on loopback (server and generator children), kept to a
 * light load: 100 req/s on one connection for half a second.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../../bench/config/resolve.ts";
import { runScenario } from "../../bench/run/scenario.ts";
import type { Placer } from "../../bench/run/scenario.ts";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";

let material: TlsFiles;
beforeAll(async () => {
  material = await makeTlsMaterial();
});
afterAll(async () => {
  await material?.cleanup();
});

const LOOPBACK: Placer = {
  kind: "loopback",
  serverAddress: "127.0.0.1",
  serverCpu: null,
  clientCpu: null,
  command: (_role, [file = "", ...args]) => ({ file, args }),
};

const CONFIG = {
  ...DEFAULTS,
  protocols: ["https1-close"] as const,
  rps: 100,
  warmupMs: 300,
  durationMs: 500,
  baselineMs: 0,
  primeRequests: 0,
  connections: 1,
  pacing: "timer" as const,
  tlsVersion: "1.2" as const,
};

describe.each(["undici", "wire"] as const)("an https1-close scenario driven by %s with --tls-version 1.2", (client) => {
  it("records TLS 1.2, and a resumed handshake for each request of the window", async () => {
    const result = await runScenario({ name: "https1-close", protocol: "https1-close", client, repeat: 1, config: CONFIG, tls: material }, LOOPBACK, new AbortController().signal);
    expect(result.state === "errored" ? result.error : result.state).toBe("completed");
    if (result.state !== "completed") return;
    const { handshakes, ...negotiated } = result.tls ?? {};
    expect(negotiated).toEqual({ version: "TLSv1.2", cipher: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", alpn: "http/1.1", group: "X25519" });
    // The warm-up's connection made the one full handshake, before the window. A handshake is counted when it
    // completes and an answer when it arrives, by the same clock and window, so the request on the wire as the window
    // opens or closes may be counted by one and not the other: one connection at a time, handshake then answer, they
    // differ by at most one.
    expect(handshakes?.full).toBe(0);
    expect(result.completedInWindow).toBeGreaterThan(10);
    expect(Math.abs((handshakes?.resumed ?? 0) - result.completedInWindow)).toBeLessThanOrEqual(1);
  });
});
