/** What an agent says of an interface: read from this machine's own sysfs and ethtool, here for `lo`. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeNic } from "../../bench/collector/nic.ts";
import { hasCommand } from "../../bench/support/tools.ts";

describe("describeNic", () => {
  it("describes lo as a virtual interface: no driver, no interrupt lines, its MTU and address as sysfs has them", () => {
    const lo = describeNic("lo");
    expect([lo.name, lo.driver, lo.irqs]).toEqual(["lo", null, []]);
    expect(lo.mtu).toBe(Number(readFileSync("/sys/class/net/lo/mtu", "utf8")));
    expect(lo.mac).toBe("00:00:00:00:00:00");
    if (hasCommand("ethtool")) expect(lo.offloads).not.toBeNull();
    else expect(lo.notes).toContain("ethtool is missing (Debian package ethtool)");
  });

  it("says so of an interface this host lacks, and reads no path for a name that is not one", () => {
    expect(describeNic("wcnosuch0").notes[0]).toBe("/sys/class/net/wcnosuch0 is missing: no such interface on this host");
    expect(describeNic("../../etc")).toEqual({ name: "../../etc", driver: null, mtu: null, mac: null, offloads: null, irqs: [], notes: ['not an interface name: "../../etc"'] });
  });
});
