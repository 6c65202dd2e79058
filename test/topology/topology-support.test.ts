import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it, onTestFinished } from "vitest";
import { checkTopologySupport } from "../../bench/topology/support.ts";
import { readableCopy } from "../support/readable-copy.ts";
import type { ReadableCopy } from "../support/readable-copy.ts";
import { namespaceNames } from "./helpers.ts";

const isRoot = process.getuid?.() === 0;

/**
 * Runs the fixture as `uid` from a copy that user can read: the checkout itself may be closed to it (a clone under
 * /root), and so may the Node inside its node_modules.
 */
function checkAs(uid: number, kind: string, copy: ReadableCopy): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(copy.node, [copy.path("test/topology/fixtures/check-support.ts"), kind], { uid, gid: uid, cwd: "/", timeout: 20_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${err.message}: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe("checking topology support", () => {
  it("accepts loopback wherever taskset exists", async () => {
    expect(await checkTopologySupport("loopback")).toMatchObject({ ok: true });
  });

  describe.skipIf(!isRoot)("as root (skipped: needs root to probe namespaces)", () => {
    it.each(["netns", "bridge"] as const)("accepts %s after a probe that leaves nothing behind", async (kind) => {
      const before = await namespaceNames();
      expect(await checkTopologySupport(kind)).toEqual({ ok: true });
      expect(await namespaceNames()).toEqual(before);
      const probes = fs.existsSync("/run/wirecost") ? fs.readdirSync("/run/wirecost").filter((f) => f.startsWith(`probe-${process.pid}-`)) : [];
      expect(probes).toEqual([]);
    });

    it("accepts docker where nft or iptables and br_netfilter exist, and otherwise names the Debian packages", async () => {
      const tools = ["nft", "iptables"].some((t) => spawnSync(t, ["--version"], { stdio: "ignore" }).error === undefined);
      const before = await namespaceNames();
      const support = await checkTopologySupport("docker");
      expect(await namespaceNames()).toEqual(before);
      if (!tools) {
        expect(support).toEqual({
          ok: false,
          reason: "--topology docker needs nft or iptables for its NAT and neither is installed",
          fix: "install nftables (apt-get install nftables) or iptables (apt-get install iptables), or use --topology bridge",
        });
      } else if (fs.existsSync("/proc/sys/net/bridge/bridge-nf-call-iptables")) {
        expect(support).toEqual({ ok: true });
      } else {
        expect(support).toMatchObject({ ok: false, reason: expect.stringMatching(/br_netfilter/) });
      }
    });

    it("gives a non-root user one reason naming --topology and the fix, while loopback still works", async () => {
      const nobody = 65534;
      const copy = readableCopy(["package.json", "bench", "contract", "test/topology/fixtures"], { withNodeModules: false });
      onTestFinished(() => copy.remove());
      expect(await checkAs(nobody, "netns", copy)).toEqual({
        ok: false,
        reason: "--topology netns needs root to create network namespaces",
        fix: "run as root (sudo npm run bench …), or use --topology loopback",
      });
      expect(await checkAs(nobody, "loopback", copy)).toMatchObject({ ok: true });
    });
  });
});
