/** What the run ran on: enough to tell two results apart and to reproduce one. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, release, type } from "node:os";
import { gunzipSync } from "node:zlib";
import { userHz } from "../collector/index.ts";
import type { Environment } from "../results/schema.ts";


const PACKAGES = ["undici", "@grpc/grpc-js", "@grpc/proto-loader", "hdr-histogram-js", "protobufjs"];

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "not installed";
  }
}

/** Pure: reads CONFIG_IRQ_TIME_ACCOUNTING out of a kernel config's text. */
export function irqTimeAccountingFromConfig(configText: string): boolean | null {
  if (/^CONFIG_IRQ_TIME_ACCOUNTING=y$/m.test(configText)) return true;
  if (/^# CONFIG_IRQ_TIME_ACCOUNTING is not set$/m.test(configText)) return false;
  return null;
}

function readIrqTimeAccounting(): boolean | null {
  try {
    return irqTimeAccountingFromConfig(gunzipSync(readFileSync("/proc/config.gz")).toString("utf8"));
  } catch {
    return null;
  }
}

export function describeEnvironment(): Environment {
  const own = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return {
    os: type(),
    kernel: release(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    // The machine's CPUs, not availableParallelism(): that counts the calling process's affinity, and the harness
    // pins itself beside the generator before it describes the run (results made so said "1 CPUs" on two).
    cpuCount: cpus().length,
    node: process.versions.node,
    nghttp2: process.versions.nghttp2 ?? "unknown",
    openssl: process.versions.openssl ?? "unknown",
    llhttp: process.versions.llhttp ?? "unknown",
    v8: process.versions.v8,
    uv: process.versions.uv ?? "unknown",
    packages: Object.fromEntries(PACKAGES.map((p) => [p, packageVersion(p)])),
    irqTimeAccounting: readIrqTimeAccounting(),
    userHz: userHz(),
    wirecostVersion: own.version,
  };
}
