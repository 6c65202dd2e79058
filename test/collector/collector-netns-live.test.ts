import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSnapshots } from "../../bench/collector/diff-snapshots.ts";
import { perRequest } from "../../bench/collector/per-request.ts";
import { createProcReader } from "../../bench/collector/proc-reader.ts";
import type { SnapshotSpec } from "../../bench/collector/snapshot-types.ts";
import { readSnapshot } from "../../bench/collector/snapshot.ts";

/** Why the namespace test cannot run here, or null when it can. */
function netnsUnavailable(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "needs root to create network namespaces";
  const probe = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  if (probe.error !== undefined) return `ip netns failed: ${probe.error.message}`;
  if (probe.status !== 0) return `ip netns failed: ${probe.stderr.trim()}`;
  return null;
}

const unavailable = netnsUnavailable();
const SRV = `wctmp-${process.pid}-srv`;
const CLI = `wctmp-${process.pid}-cli`;
const SRV_MAC = "02:00:c6:12:00:01";
const CLI_MAC = "02:00:c6:12:00:02";
const DATAGRAMS = 100;
const PAYLOAD_BYTES = 10;

function run(args: string[]): void {
  const result = spawnSync(args[0] as string, args.slice(1), { encoding: "utf8", timeout: 10_000 });
  if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.stderr || result.error?.message}`);
}

/**
 * `ip netns exec NS sh -c 'echo ready; exec sleep 60'`: a process whose /proc/<pid>/net shows the namespace, so no
 * exec per sample. ip setns()es, then execs sh, which execs sleep: one pid throughout, inside the namespace once
 * "ready" is printed.
 */
function anchor(ns: string): Promise<ChildProcess> {
  const child = spawn("ip", ["netns", "exec", ns, "sh", "-c", "echo ready; exec sleep 60"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.once("data", () => resolve(child));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`anchor in ${ns} exited (${code}): ${stderr}`)));
  });
}

describe.skipIf(unavailable !== null)(
  `net/dev of a server namespace through /proc/<pid>/net${unavailable === null ? "" : ` (skipped: ${unavailable})`}`,
  () => {
    const anchors: ChildProcess[] = [];
    const reader = createProcReader();

    const cleanup = (): void => {
      reader.close();
      for (const child of anchors.splice(0)) child.kill("SIGKILL");
      for (const ns of [SRV, CLI]) spawnSync("ip", ["netns", "del", ns]);
    };

    beforeAll(async () => {
      try {
        run(["ip", "netns", "add", SRV]);
        run(["ip", "netns", "add", CLI]);
        for (const ns of [SRV, CLI]) {
          // No IPv6 autoconfiguration (DAD, router solicitations, MLD) to add packets at random times.
          run(["ip", "netns", "exec", ns, "sh", "-c",
            "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6"]);
        }
        run(["ip", "-n", SRV, "link", "add", "eth0", "address", SRV_MAC, "type", "veth",
          "peer", "name", "eth0", "address", CLI_MAC, "netns", CLI]);
        run(["ip", "-n", SRV, "addr", "add", "198.18.0.1/30", "dev", "eth0"]);
        run(["ip", "-n", CLI, "addr", "add", "198.18.0.2/30", "dev", "eth0"]);
        // Static neighbours: no ARP exchange inside the measured window.
        run(["ip", "-n", CLI, "neigh", "replace", "198.18.0.1", "lladdr", SRV_MAC, "dev", "eth0", "nud", "permanent"]);
        run(["ip", "-n", SRV, "neigh", "replace", "198.18.0.2", "lladdr", CLI_MAC, "dev", "eth0", "nud", "permanent"]);
        for (const ns of [SRV, CLI]) {
          run(["ip", "-n", ns, "link", "set", "lo", "up"]);
          run(["ip", "-n", ns, "link", "set", "eth0", "up"]);
        }
        anchors.push(await anchor(SRV), await anchor(CLI));
      } catch (error) {
        cleanup();
        throw error;
      }
    });
    afterAll(cleanup);

    it(`counts exactly ${DATAGRAMS} rx packets at the server's eth0 for ${DATAGRAMS} UDP datagrams`, () => {
      const [srv, cli] = anchors.map((child) => child.pid as number);
      const spec: SnapshotSpec = {
        kind: "full",
        serverPid: null,
        generatorPid: null,
        serverNetns: { pid: srv as number, interfaces: ["eth0"] },
        clientNetns: { pid: cli as number, interfaces: ["eth0"] },
      };
      const send = `
        const socket = require("node:dgram").createSocket("udp4");
        const payload = Buffer.alloc(${PAYLOAD_BYTES}, 120);
        let left = ${DATAGRAMS};
        const next = () => left-- === 0 ? socket.close() : socket.send(payload, 9, "198.18.0.1", next);
        next();`;
      const a = readSnapshot(spec, reader);
      run(["ip", "netns", "exec", CLI, process.execPath, "-e", send]);
      const b = readSnapshot(spec, reader);

      const delta = diffSnapshots(a, b);
      const eth0 = delta.server.interfaces.eth0;
      expect(eth0?.ok, eth0?.ok ? "" : eth0?.reason).toBe(true);
      // veth without NAPI counts the whole frame: 14 Ethernet + 20 IPv4 + 8 UDP + payload.
      expect(eth0?.value).toMatchObject({ rxPackets: DATAGRAMS, rxBytes: DATAGRAMS * (14 + 20 + 8 + PAYLOAD_BYTES) });
      expect(delta.client?.interfaces.eth0?.value).toMatchObject({ txPackets: DATAGRAMS });
      const snmp = delta.server.snmp.ok ? delta.server.snmp.value : {};
      expect(snmp.Udp?.NoPorts).toBe(DATAGRAMS);
      expect(snmp.Ip?.InReceives).toBe(DATAGRAMS);
      // The replies (ICMP port unreachable, rate-limited) leave the server and reach the client.
      const replies = eth0?.value?.txPackets ?? -1;
      expect(replies).toBe(snmp.Icmp?.OutMsgs);
      expect(delta.client?.interfaces.eth0?.value?.rxPackets).toBe(replies);
      expect(perRequest(delta, DATAGRAMS).packets).toBe((DATAGRAMS + replies) / DATAGRAMS);
    });

    it("leaves the namespaces it reads untouched by reading them (no exec per sample)", () => {
      const [srv] = anchors.map((child) => child.pid as number);
      const spec: SnapshotSpec = {
        kind: "lean",
        serverPid: null,
        generatorPid: null,
        serverNetns: { pid: srv as number, interfaces: ["eth0", "lo"] },
      };
      const a = readSnapshot(spec, reader);
      for (let i = 0; i < 20; i++) readSnapshot(spec, reader);
      const delta = diffSnapshots(a, readSnapshot(spec, reader));
      expect(delta.server.interfaces.eth0?.value).toMatchObject({ rxPackets: 0, txPackets: 0 });
      expect(delta.server.interfaces.lo?.value).toMatchObject({ rxPackets: 0, txPackets: 0 });
    });
  },
);
