import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import zlib from "node:zlib";
import { describeError, missing, ok, type Reading } from "./reading.ts";

let userHzCache: number | undefined;

/**
 * USER_HZ, the unit of `/proc/stat` and `/proc/<pid>/stat` times: `getconf CLK_TCK`, asked once per process;
 * 100 (every Linux architecture's USER_HZ) when getconf is missing.
 */
export function userHz(): number {
  if (userHzCache === undefined) {
    try {
      const value = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
      userHzCache = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      userHzCache = 100;
    }
  }
  return userHzCache;
}

export interface KernelInfo {
  readonly release: string;
  readonly userHz: number;
  /**
   * `CONFIG_IRQ_TIME_ACCOUNTING` from `/proc/config.gz`. When false, `/proc/stat` irq/softirq are tick samples and
   * the same time is also in the interrupted task's stime and schedstat: never add process and softirq CPU.
   * (When true it can still be off at boot with `tsc=noirqtime`.)
   */
  readonly irqTimeAccounting: Reading<boolean>;
  readonly onlineCpus: number;
}

/** What the kernel is and how it accounts CPU time; recorded once per result. */
export function readKernelInfo(configPath = "/proc/config.gz"): KernelInfo {
  let irqTimeAccounting: Reading<boolean>;
  try {
    const config = zlib.gunzipSync(fs.readFileSync(configPath)).toString("latin1");
    irqTimeAccounting = ok(/^CONFIG_IRQ_TIME_ACCOUNTING=y$/m.test(config));
  } catch (error) {
    irqTimeAccounting = missing(`${configPath}: ${describeError(error)}`);
  }
  return { release: os.release(), userHz: userHz(), irqTimeAccounting, onlineCpus: os.cpus().length };
}

/** The MSI irq numbers of a real NIC, from `/sys/class/net/<device>/device/msi_irqs/` (absent on veth). */
export function readMsiIrqs(device: string): Reading<number[]> {
  const dir = `/sys/class/net/${device}/device/msi_irqs`;
  try {
    return ok(
      fs
        .readdirSync(dir)
        .map(Number)
        .filter((n) => Number.isInteger(n))
        .sort((a, b) => a - b),
    );
  } catch (error) {
    return missing(`${dir}: ${describeError(error)}`);
  }
}
