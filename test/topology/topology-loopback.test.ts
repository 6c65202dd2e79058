import { describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { cpusAllowedList, echoThrough, stopChild, uniqueRunId } from "./helpers.ts";

describe("a loopback topology", () => {
  it("creates nothing, uses 127.0.0.1, and warns that counters include other local traffic", async () => {
    const topology = await createTopology({ kind: "loopback", runId: uniqueRunId("lo"), offloads: "off", mtu: 9000 });
    const info = topology.info;
    expect(info).toMatchObject({
      kind: "loopback",
      namespaces: { server: null, client: null, bridge: null },
      subnet: null,
      serverAddress: "127.0.0.1",
      clientAddress: "127.0.0.1",
      rxSteering: { mode: "none", rpsCpus: null },
      offloadMode: "default",
      stateFile: null,
      rateLimit: null,
    });
    expect(info.interfaces.map((i) => [i.role, i.name, i.namespace, i.address])).toEqual([["loopback", "lo", null, "127.0.0.1"]]);
    expect(info.warnings).toEqual([
      "loopback topology: no namespaces, so interface, TCP and softirq counters include all other local traffic on this host",
      "loopback topology: RPS not applied (it would change the host's lo)",
      "loopback topology: offloads left as they are (it would change the host's lo)",
      "loopback topology: MTU 9000 not applied (it would change the host's lo)",
    ]);
    expect(topology.anchorPid("server")).toBe(process.pid);
    expect(topology.command("client", ["node", "x.js"])).toEqual({ file: "taskset", args: ["-c", String(info.clientCpu), "node", "x.js"] });
    await topology.destroy();
    await topology.destroy();
  });

  it("pins the server to its CPU, and the spawned pid is the server's own", async () => {
    const topology = await createTopology({ kind: "loopback", runId: uniqueRunId("lo") });
    const { server, client } = await echoThrough(topology);
    try {
      expect(server.first["pid"]).toBe(server.child.pid);
      expect(cpusAllowedList(server.child.pid as number)).toBe(String(topology.info.serverCpu));
      expect(client.first).toEqual({ echo: "ping", pid: client.child.pid, cpus: String(topology.info.clientCpu) });
    } finally {
      await stopChild(server.child);
      await stopChild(client.child);
      await topology.destroy();
    }
  });
});
