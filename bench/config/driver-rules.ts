/**
 * What `--driver h2load` needs: of the rest of the config, arms h2load can drive and a request rate it is told rather
 * than one calibrated by packets (checked as the config resolves); of the machine, h2load on PATH (checked by the CLI
 * before it creates anything, as resolving the config does no I/O).
 */
import { H2LOAD_PACKAGE, H2LOAD_PROGRAM, h2loadRefusal } from "../load/h2load-argv.ts";
import { PROTOCOLS } from "../../contract/index.ts";
import { UsageError } from "../support/errors.ts";
import { hasCommand } from "../support/tools.ts";
import type { BenchConfig } from "./config.ts";

/** The arms h2load drives, for the fix an error names. */
export const H2LOAD_PROTOCOLS = PROTOCOLS.filter((p) => h2loadRefusal(p) === null);

/** Throws a one-line UsageError when the config asks h2load for what it cannot do. */
export function checkDriver(config: BenchConfig): void {
  if (config.driver !== "h2load") return;
  const refusals = config.protocols.flatMap((p) => h2loadRefusal(p) ?? []);
  if (refusals.length > 0) {
    throw new UsageError("WC_UNSUPPORTED", `--driver h2load: ${refusals.join("; ")}; choose from --protocols ${H2LOAD_PROTOCOLS.join(",")}`);
  }
  if (config.pps !== null || config.sweep?.by === "pps") {
    throw new UsageError(
      "WC_UNSUPPORTED",
      "--driver h2load: a packet rate is calibrated with short loads on the same warm connections, which one h2load run cannot do; offer a request rate (--rps, or --sweep --by rps)",
    );
  }
}

/** Throws a one-line UsageError naming the package when the config's driver is not installed. */
export function checkDriverInstalled(config: BenchConfig, has: (command: string) => boolean = hasCommand): void {
  if (config.driver !== "h2load") return;
  if (!has(H2LOAD_PROGRAM)) {
    throw new UsageError("WC_MISSING_TOOL", `--driver h2load needs h2load, which is not installed; apt-get install ${H2LOAD_PACKAGE}, or npm run setup`);
  }
}
