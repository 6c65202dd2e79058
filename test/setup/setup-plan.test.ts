import { describe, expect, it } from "vitest";
import { main } from "../../bench/setup/cli.ts";
import type { SetupSystem } from "../../bench/setup/cli.ts";
import { isDebianFamily, missingToolLine, missingTools, planSetup } from "../../bench/setup/setup-plan.ts";
import type { SetupFacts } from "../../bench/setup/setup-plan.ts";
import { TOOL_PACKAGES } from "../../bench/setup/tool-packages.ts";

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=41\n';

const ALL_RUN_COMMANDS = TOOL_PACKAGES.filter((t) => t.need !== "tests").flatMap((t) => t.commands);
const without = (...gone: string[]) => new Set(ALL_RUN_COMMANDS.filter((c) => !gone.includes(c)));
const facts = (over: Partial<SetupFacts>): SetupFacts => ({ root: true, osRelease: DEBIAN, present: without(), forTests: false, ...over });

describe("which packages setup installs", () => {
  it("lists every tool the harness runs, each under its Debian package", () => {
    expect(TOOL_PACKAGES.map((t) => [t.debianPackage, t.commands.join(" "), t.need])).toEqual([
      ["iproute2", "ip tc bridge", "run"],
      ["util-linux", "taskset unshare chrt setpriv runuser flock", "run"],
      ["procps", "sysctl", "run"],
      ["ethtool", "ethtool", "run"],
      ["tcpdump", "tcpdump", "run"],
      ["openssl", "openssl", "run"],
      ["nghttp2-client", "h2load", "run"],
      ["nftables", "nft", "run"],
      ["iptables", "iptables", "run"],
      ["conntrack", "conntrack", "run"],
      ["bpftrace", "bpftrace", "run"],
      ["nginx-light", "nginx", "run"],
      ["libbpf-tools", "softirqs", "optional"],
      ["python3", "python3", "tests"],
      ["chromium", "chromium", "tests"],
    ]);
  });

  it("recognises Debian and its derivatives from /etc/os-release", () => {
    expect([DEBIAN, UBUNTU, FEDORA, 'ID="debian"\n', "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n", null].map(isDebianFamily)).toEqual([true, true, false, true, true, false]);
  });

  it("installs nothing when every tool is there, and says which it checked", () => {
    expect(planSetup(facts({}))).toEqual({ kind: "ready", checked: ALL_RUN_COMMANDS });
  });

  it("installs only the packages of the missing tools, each once, optional ones apart", () => {
    const plan = planSetup(facts({ present: without("ethtool", "ip", "tc", "h2load", "softirqs") }));
    expect(plan.kind === "install" && [plan.packages, plan.optionalPackages]).toEqual([["iproute2", "ethtool", "nghttp2-client"], ["libbpf-tools"]]);
  });

  it("adds python3 and chromium only for the tests", () => {
    expect(missingTools(without(), false)).toEqual([]);
    const plan = planSetup(facts({ forTests: true }));
    expect(plan.kind === "install" && [plan.packages, plan.optionalPackages]).toEqual([["python3", "chromium"], []]);
  });

  it("does not try when not root or not on Debian, and names each missing tool with its package", () => {
    const notRoot = planSetup(facts({ root: false, present: without("ethtool", "softirqs") }));
    expect(notRoot.kind === "cannot-install" && [notRoot.reason, notRoot.missing.map(missingToolLine)]).toEqual([
      "not root, so nothing was installed; run sudo npm run setup",
      [
        "ethtool is missing: Debian package ethtool — recording the veth offloads, and --offloads off",
        "softirqs is missing (optional): Debian package libbpf-tools — libbpf's softirqs and hardirqs, to cross-check the eBPF figures",
      ],
    ]);
    const fedora = planSetup(facts({ osRelease: FEDORA, present: without("tcpdump") }));
    expect(fedora.kind === "cannot-install" && fedora.reason).toBe("this is not Debian, so nothing was installed");
  });
});

/** A machine whose tools appear once apt-get has installed their packages. */
function fakeSystem(over: { root?: boolean; osRelease?: string | null; present: Set<string>; failing?: string }): SetupSystem & { readonly ran: string[][] } {
  const ran: string[][] = [];
  return {
    ran,
    isRoot: () => over.root ?? true,
    osRelease: () => over.osRelease ?? DEBIAN,
    hasCommand: (name) => over.present.has(name),
    run: (argv) => {
      ran.push([...argv]);
      if (argv[1] !== "install") return 0;
      if (over.failing !== undefined && argv.includes(over.failing)) return 100;
      for (const pkg of argv.slice(5)) for (const c of TOOL_PACKAGES.find((t) => t.debianPackage === pkg)?.commands ?? []) over.present.add(c);
      return 0;
    },
  };
}

async function runSetup(argv: string[], system: SetupSystem) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } }, system);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("npm run setup", () => {
  it("runs apt-get update and one install of the missing packages, then the optional ones, as root on Debian", async () => {
    const system = fakeSystem({ present: without("ethtool", "nft", "softirqs") });
    expect(await runSetup([], system)).toEqual({ code: 0, stdout: "installing ethtool, nftables, libbpf-tools\n", stderr: "" });
    expect(system.ran).toEqual([
      ["apt-get", "update", "-qq"],
      ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "ethtool", "nftables"],
      ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "libbpf-tools"],
    ]);
  });

  it("runs no apt-get at all the second time", async () => {
    const system = fakeSystem({ present: without() });
    const r = await runSetup([], system);
    expect([r.code, r.stderr, system.ran]).toEqual([0, "", []]);
    expect(r.stdout).toBe(`all 20 tools are installed: ${ALL_RUN_COMMANDS.join(", ")}\n`);
  });

  it("installs python3 and chromium with --for-tests", async () => {
    const system = fakeSystem({ present: without() });
    expect((await runSetup(["--for-tests"], system)).code).toBe(0);
    expect(system.ran.at(-1)).toEqual(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "python3", "chromium"]);
  });

  it("prints one line per missing tool and exits 1 without running anything when not root", async () => {
    const system = fakeSystem({ root: false, present: without("ethtool", "tcpdump") });
    expect(await runSetup([], system)).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "wirecost setup: not root, so nothing was installed; run sudo npm run setup\n" +
        "ethtool is missing: Debian package ethtool — recording the veth offloads, and --offloads off\n" +
        "tcpdump is missing: Debian package tcpdump — --verify, which counts the window's packets independently\n",
    });
    expect(system.ran).toEqual([]);
  });

  it("exits 0 when only an optional tool is missing and it cannot install", async () => {
    const system = fakeSystem({ osRelease: FEDORA, present: without("softirqs") });
    const r = await runSetup([], system);
    expect([r.code, system.ran]).toEqual([0, []]);
  });

  it("fails with one line when apt-get install fails, and only warns when an optional package cannot be installed", async () => {
    const broken = fakeSystem({ present: without("ethtool"), failing: "ethtool" });
    expect(await runSetup([], broken)).toEqual({
      code: 1,
      stdout: "installing ethtool\n",
      stderr: "wirecost setup: apt-get install ethtool failed with exit code 100 (its messages are above)\n",
    });
    const old = fakeSystem({ present: without("softirqs"), failing: "libbpf-tools" });
    expect(await runSetup([], old)).toEqual({
      code: 0,
      stdout: "installing libbpf-tools\n",
      stderr: "wirecost setup: optional libbpf-tools not installed (see apt-get's messages above); nothing needs it to run\n",
    });
  });
});
