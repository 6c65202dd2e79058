/**
 * .ci/run installs the Debian packages by name before `npm run setup` checks them, so that CI's own script says what
 * a clean machine gets. Its list must be the one bench/setup/tool-packages.ts keeps: every package the code or the
 * tests run ("run" and "tests"), and nothing optional.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TOOL_PACKAGES } from "../../bench/setup/tool-packages.ts";

const ciRun = readFileSync(new URL("../../.ci/run", import.meta.url), "utf8");

describe(".ci/run's package list", () => {
  it("is the set-up's list of packages the code and the tests run", () => {
    const listed = /^PACKAGES="([^"]*)"$/m.exec(ciRun)?.[1]?.split(" ") ?? [];
    const needed = TOOL_PACKAGES.filter((p) => p.need !== "optional").map((p) => p.debianPackage);
    expect([...listed].sort()).toEqual([...needed].sort());
    expect(listed).toEqual(expect.arrayContaining(["bpftrace", "nginx-light", "nghttp2-client", "tcpdump", "chromium"]));
  });

  it("installs them with apt-get before npm run setup", () => {
    expect(ciRun.indexOf("apt-get install -y --no-install-recommends $PACKAGES")).toBeGreaterThan(0);
    expect(ciRun.indexOf("apt-get install")).toBeLessThan(ciRun.lastIndexOf("npm run setup"));
  });
});
