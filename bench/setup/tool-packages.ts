/**
 * The system tools wirecost runs, by the Debian package that provides them: the one list `npm run setup` installs
 * from and checks against. Found by reading what the code spawns (`grep -rn "spawn\|commandExists\|hasCommand" bench`);
 * a new tool is a new row here. bpftrace and nginx-light are installed ahead of the eBPF collector and the nginx
 * server being built, so that a machine set up now can run them.
 */

/** `run`: the harness or one of its tools calls it. `tests`: only the test suite does. `optional`: nice to have. */
export type ToolNeed = "run" | "tests" | "optional";

export interface ToolPackage {
  /** The Debian package. */
  readonly debianPackage: string;
  /** The commands the code runs from it, looked up on PATH (and the sbin directories) to tell whether it is there. */
  readonly commands: readonly string[];
  /** What uses it, for the line printed when it is missing. */
  readonly usedFor: string;
  readonly need: ToolNeed;
}

export const TOOL_PACKAGES: readonly ToolPackage[] = [
  { debianPackage: "iproute2", commands: ["ip", "tc", "bridge"], usedFor: "namespaces, veth pairs, bridges and qdiscs (bench/topology)", need: "run" },
  { debianPackage: "util-linux", commands: ["taskset", "unshare", "chrt", "setpriv", "runuser", "flock"], usedFor: "pinning server and generator to CPUs; the eBPF tracer's private mount namespace, idle scheduling and parent-death signal; runuser and flock for the tests", need: "run" },
  { debianPackage: "procps", commands: ["sysctl"], usedFor: "sysctls inside the namespaces (bench/topology/setup.ts)", need: "run" },
  { debianPackage: "ethtool", commands: ["ethtool"], usedFor: "recording the veth offloads, and --offloads off", need: "run" },
  { debianPackage: "tcpdump", commands: ["tcpdump"], usedFor: "--verify, which counts the window's packets independently", need: "run" },
  { debianPackage: "openssl", commands: ["openssl"], usedFor: "the per-run TLS certificate of the h2 arm (bench/run/tls.ts)", need: "run" },
  { debianPackage: "nghttp2-client", commands: ["h2load"], usedFor: "npm run bench -- --driver h2load, and npm run bench:generator, which compares our generator with h2load", need: "run" },
  { debianPackage: "nftables", commands: ["nft"], usedFor: "--topology docker's NAT (nftables mode)", need: "run" },
  { debianPackage: "iptables", commands: ["iptables"], usedFor: "--topology docker's NAT (iptables mode)", need: "run" },
  { debianPackage: "conntrack", commands: ["conntrack"], usedFor: "--topology docker's connection tracking table", need: "run" },
  { debianPackage: "bpftrace", commands: ["bpftrace"], usedFor: "the eBPF collector's exact softirq time (docs/kernel-notes.md, \"Exact softirq time with eBPF\")", need: "run" },
  { debianPackage: "nginx-light", commands: ["nginx"], usedFor: "nginx as a foreign server to measure against", need: "run" },
  { debianPackage: "libbpf-tools", commands: ["softirqs"], usedFor: "libbpf's softirqs and hardirqs, to cross-check the eBPF figures", need: "optional" },
  { debianPackage: "python3", commands: ["python3"], usedFor: "test/run/user-server-netns.test.ts measures python3 -m http.server as a user's own server (the README's example)", need: "tests" },
  { debianPackage: "chromium", commands: ["chromium"], usedFor: "test/report opens report.html headless (playwright-core drives /usr/bin/chromium)", need: "tests" },
];
