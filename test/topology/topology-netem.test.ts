import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { createTopology } from "../../bench/topology/create-topology.ts";
import { run } from "../../bench/topology/exec.ts";
import { applyNetem, removeNetem } from "../../bench/topology/index.ts";
import { checkNetem, NETEM_UNSUPPORTED, parseNetemSpec } from "../../bench/topology/netem.ts";
import { namespaceNames, namespacesOf, noNetns, skipNote, sweepRun, uniqueRunId } from "./helpers.ts";

describe("netem arguments", () => {
  it.each([
    ["delay 1ms", ["delay", "1ms"]],
    ["delay 1ms loss 0.1%", ["delay", "1ms", "loss", "0.1%"]],
    ["  delay 10ms 2ms 25% distribution normal ", ["delay", "10ms", "2ms", "25%", "distribution", "normal"]],
    ["loss random 1% 10%", ["loss", "random", "1%", "10%"]],
    ["reorder 25% 50% gap 5 delay 10ms", ["reorder", "25%", "50%", "gap", "5", "delay", "10ms"]],
    ["rate 100mbit -4 limit 1000", ["rate", "100mbit", "-4", "limit", "1000"]],
    ["duplicate 1% corrupt 0.1% ecn seed 7", ["duplicate", "1%", "corrupt", "0.1%", "ecn", "seed", "7"]],
  ])("accepts %j as the argv %j", (text, args) => {
    expect(parseNetemSpec(text)).toEqual({ ok: true, args });
  });

  it.each([
    ["", '--netem needs arguments, e.g. "delay 1ms loss 0.1%"'],
    ["delay", "--netem: delay needs a time value, got nothing"],
    ["delay 1ms; reboot", '--netem: delay needs a time value, got "1ms;"'],
    ["delay $(id)", '--netem: delay needs a time value, got "$(id)"'],
    ["loss 101%", '--netem: loss needs a percent value, got "101%"'],
    ["delay 1ms delay 2ms", "--netem: delay given twice"],
    ["jitter 1ms", '--netem: unknown keyword "jitter" (use limit, delay, distribution, loss, corrupt, duplicate, reorder, gap, rate, seed, ecn)'],
    ["gap 5", '--netem: gap needs reorder'],
    ["rate fast", '--netem: rate needs a rate value, got "fast"'],
  ])("refuses %j: %s", (text, reason) => {
    expect(parseNetemSpec(text)).toEqual({ ok: false, reason });
  });

  it("takes a token list as well, and checks every token the same way", () => {
    expect(parseNetemSpec(["delay", "5ms"])).toEqual({ ok: true, args: ["delay", "5ms"] });
    expect(parseNetemSpec(["delay", "5ms loss 1%"]).ok).toBe(false);
  });
});

/** What the kernel's config says about netem, when /proc/config.gz exists. */
function configuredNetem(): "y" | "m" | "no" | "unknown" {
  const r = spawnSync("sh", ["-c", "zcat /proc/config.gz 2>/dev/null | grep -E '^(# )?CONFIG_NET_SCH_NETEM[= ]'"], { encoding: "utf8" });
  const line = r.stdout.trim();
  if (line === "") return "unknown";
  if (line.startsWith("#")) return "no";
  return line.endsWith("=m") ? "m" : "y";
}

const check = noNetns ? { ok: false as const, reason: "needs root" } : await checkNetem();
const netemMissing = check.ok ? "" : ` (skipped: ${check.reason})`;

describe.skipIf(noNetns)(`netem detection${skipNote}`, () => {
  it("tries netem on a veth in a throw-away namespace, says what the kernel lacks, and leaves nothing", async () => {
    const before = await namespaceNames();
    const again = await checkNetem();
    expect(await namespaceNames()).toEqual(before);
    const probes = fs.existsSync("/run/wirecost") ? fs.readdirSync("/run/wirecost").filter((f) => f.startsWith(`probe-${process.pid}-`)) : [];
    expect(probes).toEqual([]);
    expect(again).toEqual(check);
    const config = configuredNetem();
    if (config === "no") {
      expect(check).toEqual({ ok: false, reason: NETEM_UNSUPPORTED });
      expect(NETEM_UNSUPPORTED).toMatch(/^--netem .*sch_netem.*CONFIG_NET_SCH_NETEM.*Specified qdisc kind is unknown/);
      expect(NETEM_UNSUPPORTED).not.toContain("\n");
    } else if (config === "y") {
      expect(check).toEqual({ ok: true });
    }
  });

  it.runIf(!check.ok && check.reason === NETEM_UNSUPPORTED)("refuses applyNetem here with that reason and changes no qdisc", async () => {
    const runId = uniqueRunId("nonetem");
    const topology = await createTopology({ kind: "netns", runId, rxSteering: "none" });
    try {
      await expect(applyNetem(topology, "delay 1ms")).rejects.toMatchObject({ code: "TOPOLOGY_UNSUPPORTED", message: NETEM_UNSUPPORTED });
      expect(topology.info.netem).toBeNull();
      const q = JSON.parse((await run("tc", ["-n", topology.info.namespaces.server as string, "-j", "qdisc", "show", "dev", "eth0"])).stdout) as { kind: string }[];
      expect(q.map((x) => x.kind)).not.toContain("netem");
      await expect(applyNetem(topology, "delay 1ms; rm -rf /")).rejects.toMatchObject({ code: "TOPOLOGY_INVALID_OPTION" });
    } finally {
      await topology.destroy();
      await sweepRun(runId);
    }
  });

  it.skipIf(!check.ok)(`applies netem to both eth0s, records it, and removes it${netemMissing}`, async () => {
    const runId = uniqueRunId("netem");
    const topology = await createTopology({ kind: "netns", runId, rxSteering: "none" });
    try {
      const info = await applyNetem(topology, "delay 1ms loss 0.1%");
      expect(info).toEqual({
        qdisc: "netem",
        args: ["delay", "1ms", "loss", "0.1%"],
        interfaces: [
          { namespace: topology.info.namespaces.server, name: "eth0" },
          { namespace: topology.info.namespaces.client, name: "eth0" },
        ],
      });
      expect(topology.info.netem).toEqual(info);
      for (const t of info.interfaces) {
        const q = JSON.parse((await run("tc", ["-n", t.namespace, "-j", "qdisc", "show", "dev", t.name])).stdout) as { kind: string; root?: boolean }[];
        expect(q.find((x) => x.root === true)?.kind).toBe("netem");
      }
      await removeNetem(topology);
      expect(topology.info.netem).toBeNull();
      await applyNetem(topology, "delay 2ms");
      await topology.destroy();
      expect(await namespacesOf(runId)).toEqual([]);
    } finally {
      await topology.destroy();
      await sweepRun(runId);
    }
  });
});
