/** The nginx arms' own refusals: nginx must be installed, and the TLS flags do not reach it. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { checkServersInstalled } from "../../bench/config/server-rules.ts";
import { UsageError } from "../../bench/support/errors.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));

function config(argv: string[]): BenchConfig {
  const c = configFromArgv(argv);
  if (c === "help") throw new Error("help");
  return c;
}

describe("the nginx arms", () => {
  it("need nginx installed, named with its package, before anything is created", () => {
    const c = config(["--protocols", "http1,nginx-http1,nginx-h2c"]);
    expect(() => checkServersInstalled(c, () => false)).toThrow(
      new UsageError("WC_MISSING_TOOL", "--protocols nginx-http1,nginx-h2c needs nginx, which is not installed; apt-get install nginx-light, or npm run setup"),
    );
    expect(() => checkServersInstalled(c, (command) => command === "nginx")).not.toThrow();
    expect(() => checkServersInstalled(config(["--protocols", "http1"]), () => false)).not.toThrow();
  });

  it("refuse the TLS flags beside nginx-h2, which keeps nginx's own TLS", () => {
    expect(() => configFromArgv(["--protocols", "h2,nginx-h2", "--tls-version", "1.3"])).toThrow(
      new UsageError(
        "WC_UNSUPPORTED",
        "--tls-version, --tls-ciphers and --tls-groups are not passed on to nginx (nginx-h2), which keeps its own TLS defaults; drop them, or run the nginx arms on their own",
      ),
    );
    expect(() => configFromArgv(["--protocols", "h2,nginx-h2c", "--tls-groups", "X25519"])).not.toThrow();
  });

  it("make npm run bench exit 2 with that line before it creates anything, when PATH has no nginx", () => {
    const dir = mkdtempSync(join(tmpdir(), "wirecost-nginx-missing-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // A PATH with a shell and nothing else: the lookup runs, and finds no nginx.
    symlinkSync("/bin/sh", join(dir, "sh"));
    const out = join(dir, "results");
    const r = spawnSync(process.execPath, [BIN, "--protocols", "nginx-h2c", "--out", out], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, PATH: dir, NO_COLOR: "1" },
    });
    expect(r.stderr).toBe("wirecost: --protocols nginx-h2c needs nginx, which is not installed; apt-get install nginx-light, or npm run setup\n");
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
