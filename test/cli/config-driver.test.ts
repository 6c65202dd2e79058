/** `--driver`: node by default; h2load only for the arms and loads it can drive, and only when it is installed. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { checkDriver, checkDriverInstalled, H2LOAD_PROTOCOLS } from "../../bench/config/driver-rules.ts";
import { DEFAULTS } from "../../bench/config/resolve.ts";
import { UsageError } from "../../bench/support/errors.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));
const installed = (): boolean => true;
const missing = (): boolean => false;
const h2load = (over: Partial<BenchConfig> = {}): BenchConfig => ({ ...DEFAULTS, driver: "h2load", protocols: ["http1", "h2c", "h2", "grpc"], ...over });

describe("--driver", () => {
  it("is node unless asked, from the flag or the config file key driver", () => {
    expect(DEFAULTS.driver).toBe("node");
    expect(() => configFromArgv(["--driver", "wrk"])).toThrow(new UsageError("WC_BAD_VALUE", "--driver wrk: choose one of node, h2load"));
  });

  it("lets h2load drive http1, h2c, h2 and grpc, and nginx's keep-alive arms", () => {
    expect(H2LOAD_PROTOCOLS).toEqual(["http1", "https1", "h2c", "h2", "grpc", "grpc-tls", "nginx-http1", "nginx-h2c", "nginx-h2"]);
    expect(() => checkDriver(h2load())).not.toThrow();
    expect(() => checkDriver(h2load({ sweep: { by: "rps", from: 100, to: 1000, steps: 3, spacing: "geometric" } }))).not.toThrow();
    expect(configFromArgv(["--driver", "h2load", "--protocols", "h2c,grpc"])).toMatchObject({ driver: "h2load", protocols: ["h2c", "grpc"] });
  });

  it("refuses the arms h2load cannot drive in one line naming each and why", () => {
    const refuse = () => configFromArgv(["--driver", "h2load", "--protocols", "http1,http1-close,grpc-stream"]);
    expect(refuse).toThrow(
      new UsageError(
        "WC_UNSUPPORTED",
        "--driver h2load: h2load cannot drive http1-close: with a connection per request its --rps schedule restarts on every new connection and runs closed loop, and its connection-rate mode (-r) has no warm-up nor measured window; " +
          "h2load cannot drive grpc-stream: it sends one request per stream and cannot put many messages on one long-lived bidi call; choose from --protocols http1,https1,h2c,h2,grpc,grpc-tls,nginx-http1,nginx-h2c,nginx-h2",
      ),
    );
  });

  it("refuses a packet rate, which is calibrated with several loads", () => {
    const message = /^--driver h2load: a packet rate is calibrated with short loads on the same warm connections, which one h2load run cannot do; offer a request rate \(--rps, or --sweep --by rps\)$/;
    expect(() => configFromArgv(["--driver", "h2load", "--protocols", "h2c", "--pps", "20000"])).toThrow(message);
    expect(() => checkDriver(h2load({ sweep: { by: "pps", from: 1000, to: 2000, steps: 2, spacing: "linear" } }))).toThrow(message);
  });

  it("names the package to install when h2load is not on PATH", () => {
    const error = (() => {
      try {
        checkDriverInstalled(h2load(), missing);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toEqual(new UsageError("WC_MISSING_TOOL", "--driver h2load needs h2load, which is not installed; apt-get install nghttp2-client, or npm run setup"));
    expect((error as UsageError).code).toBe("WC_MISSING_TOOL");
    expect(() => checkDriverInstalled(h2load(), installed)).not.toThrow();
  });

  it("leaves the node driver alone, whatever is installed", () => {
    expect(() => checkDriver({ ...DEFAULTS, pps: 1000 })).not.toThrow();
    expect(() => checkDriverInstalled(DEFAULTS, missing)).not.toThrow();
  });

  it("makes npm run bench exit 2 with that line before it creates anything, when PATH has no h2load", () => {
    const dir = mkdtempSync(join(tmpdir(), "wirecost-driver-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // A PATH with a shell and nothing else: the lookup runs, and finds no h2load.
    symlinkSync("/bin/sh", join(dir, "sh"));
    const out = join(dir, "results");
    const r = spawnSync(process.execPath, [BIN, "--driver", "h2load", "--protocols", "h2c", "--out", out], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, PATH: dir, NO_COLOR: "1" },
    });
    expect(r.stderr).toBe("wirecost: --driver h2load needs h2load, which is not installed; apt-get install nghttp2-client, or npm run setup\n");
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
