import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { UsageError } from "../../bench/support/errors.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wirecost-grpc-client-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(argv: string[]): BenchConfig {
  const c = configFromArgv(argv);
  if (c === "help") throw new Error("unexpected help");
  return c;
}

function withFile(content: unknown): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe("--grpc-client", () => {
  it("defaults to grpc-js, so the headline gRPC arm is the real library", () => {
    expect(config([]).grpcClient).toBe("grpc-js");
  });

  it("takes lean from the flag and from the config file key grpcClient, the flag winning", () => {
    expect(config(["--grpc-client", "lean"]).grpcClient).toBe("lean");
    const file = withFile({ grpcClient: "lean" });
    expect(config(["--config", file]).grpcClient).toBe("lean");
    expect(config(["--config", file, "--grpc-client", "grpc-js"]).grpcClient).toBe("grpc-js");
  });

  it("refuses an unknown client with a UsageError naming the flag or key and the choices", () => {
    expect(() => configFromArgv(["--grpc-client", "grpcio"])).toThrow(new UsageError("WC_BAD_VALUE", "--grpc-client grpcio: choose one of grpc-js, lean"));
    const file = withFile({ grpcClient: "fast" });
    expect(() => configFromArgv(["--config", file])).toThrow(`${file}: "grpcClient" fast: choose one of grpc-js, lean`);
  });

  it("exits 2 with one line for a bad value", () => {
    const r = spawnSync(process.execPath, [BIN, "--grpc-client", "grpcio"], { encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("wirecost: --grpc-client grpcio: choose one of grpc-js, lean");
  });
});
