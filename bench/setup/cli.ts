/**
 * `npm run setup [-- --for-tests]`: installs the Debian packages whose tools wirecost runs, and only those missing
 * (so a second run installs nothing). As root on Debian it runs apt-get; anywhere else it prints one line per
 * missing tool, naming its package, and exits 1 without trying. .ci/run calls it with --for-tests, so CI sets a
 * machine up exactly as the README tells a user to.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { delimiter, join } from "node:path";
import { assertNever } from "../../contract/index.ts";
import { parseToolArgs, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { anyRequired, APT_UPDATE, aptInstall, missingToolLine, missingTools, planSetup } from "./setup-plan.ts";
import { TOOL_PACKAGES } from "./tool-packages.ts";
import type { ToolPackage } from "./tool-packages.ts";

const packagesFor = (pick: (t: ToolPackage) => boolean) =>
  TOOL_PACKAGES.filter(pick)
    .map((t) => t.debianPackage)
    .join(", ");

export const SETUP_HELP = `wirecost setup — install the Debian tools wirecost runs

usage: sudo npm run setup [-- --for-tests]

  --for-tests    also what only the test suite uses: ${packagesFor((t) => t.need === "tests")}

As root on Debian (or a derivative) it apt-get installs the packages whose tools are missing, and nothing when none
is; anywhere else it prints one line per missing tool with its package, and exits 1.
Packages: ${packagesFor((t) => t.need === "run")}; optional: ${packagesFor((t) => t.need === "optional")}.
`;

/** The machine, as setup sees it; tests pass a fake. */
export interface SetupSystem {
  isRoot(): boolean;
  osRelease(): string | null;
  hasCommand(name: string): boolean;
  /** Runs a command with its output on stderr; returns its exit code. */
  run(argv: readonly string[]): number;
}

// Root's PATH on Debian has the sbin directories, where ip, ethtool and nft live; a user's PATH may lack them.
const SBIN_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

export const LOCAL_SYSTEM: SetupSystem = {
  isRoot: () => process.getuid?.() === 0,
  osRelease: () => {
    try {
      return readFileSync("/etc/os-release", "utf8");
    } catch {
      return null;
    }
  },
  hasCommand: (name) =>
    [...(process.env.PATH ?? "").split(delimiter), ...SBIN_DIRS].some((dir) => {
      if (dir === "") return false;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  run: (argv) => {
    const [file, ...args] = argv;
    const r = spawnSync(file ?? "", args, { stdio: ["ignore", 2, 2], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    return r.status ?? 1;
  },
};

function present(system: SetupSystem): Set<string> {
  return new Set(TOOL_PACKAGES.flatMap((t) => t.commands).filter((c) => system.hasCommand(c)));
}

export function main(argv: readonly string[], io: Pick<ToolIo, "stdout" | "stderr">, system: SetupSystem = LOCAL_SYSTEM): Promise<number> {
  return runTool(io, "setup", async () => {
    const args = parseToolArgs(argv, { tool: "setup", booleans: ["for-tests"], positionals: [] });
    if (args.help) {
      io.stdout.write(SETUP_HELP);
      return 0;
    }
    const forTests = args.values["for-tests"] === true;
    const plan = planSetup({ root: system.isRoot(), osRelease: system.osRelease(), present: present(system), forTests });
    switch (plan.kind) {
      case "ready":
        io.stdout.write(`all ${plan.checked.length} tools are installed: ${plan.checked.join(", ")}\n`);
        return 0;
      case "cannot-install":
        io.stderr.write(`wirecost setup: ${plan.reason}\n`);
        for (const m of plan.missing) io.stderr.write(`${missingToolLine(m)}\n`);
        return anyRequired(plan.missing) ? 1 : 0;
      case "install":
        return install(plan.packages, plan.optionalPackages, forTests, io, system);
      default:
        return assertNever(plan);
    }
  });
}

function install(
  packages: readonly string[],
  optionalPackages: readonly string[],
  forTests: boolean,
  io: Pick<ToolIo, "stdout" | "stderr">,
  system: SetupSystem,
): number {
  const all = [...packages, ...optionalPackages];
  io.stdout.write(`installing ${all.join(", ")}\n`);
  if (system.run(APT_UPDATE) !== 0) throw new Error("apt-get update failed (its messages are above); check the network and /etc/apt/sources.list");
  if (packages.length > 0) {
    const code = system.run(aptInstall(packages));
    if (code !== 0) throw new Error(`apt-get install ${packages.join(" ")} failed with exit code ${code} (its messages are above)`);
  }
  // An optional package the distribution lacks (an older release) is worth a line, not a failure.
  if (optionalPackages.length > 0 && system.run(aptInstall(optionalPackages)) !== 0) {
    io.stderr.write(`wirecost setup: optional ${optionalPackages.join(", ")} not installed (see apt-get's messages above); nothing needs it to run\n`);
  }
  const still = missingTools(present(system), forTests).filter((m) => m.tool.need !== "optional");
  for (const m of still) io.stderr.write(`wirecost setup: still ${missingToolLine(m)}\n`);
  return still.length === 0 ? 0 : 1;
}
