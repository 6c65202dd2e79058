import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { DEFAULT_CLIENT } from "../../bench/config/options.ts";
import { UsageError } from "../../bench/support/errors.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wirecost-client-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(argv: string[]): BenchConfig {
  const c = configFromArgv(argv);
  if (c === "help") throw new Error("unexpected help");
  return c;
}

let files = 0;
function withFile(content: unknown): string {
  const path = join(dir, `c${files++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe("--client", () => {
  it("defaults to the one constant DEFAULT_CLIENT, wire, so the default run measures servers", () => {
    expect(DEFAULT_CLIENT).toBe("wire");
    expect(config([]).client).toEqual(["wire"]);
  });

  it("takes one client or a list, in the order given, each named once", () => {
    expect(config(["--client", "library"]).client).toEqual(["library"]);
    expect(config(["--client", "wire,library"]).client).toEqual(["wire", "library"]);
    expect(config(["--client", "library, wire,library"]).client).toEqual(["library", "wire"]);
  });

  it("takes the config file key client, as an array or a comma list, the flag winning", () => {
    const array = withFile({ client: ["library", "wire"] });
    expect(config(["--config", array]).client).toEqual(["library", "wire"]);
    expect(config(["--config", withFile({ client: "library" })]).client).toEqual(["library"]);
    expect(config(["--config", array, "--client", "wire"]).client).toEqual(["wire"]);
  });

  it("leaves --grpc-client to choose the library client of the gRPC arms", () => {
    expect(config(["--client", "library", "--grpc-client", "lean"])).toMatchObject({ client: ["library"], grpcClient: "lean" });
  });

  it("refuses an unknown or an empty client with a UsageError naming the flag or key and the choices", () => {
    expect(() => configFromArgv(["--client", "undici"])).toThrow(new UsageError("WC_BAD_VALUE", '--client: unknown client "undici"; choose from wire,library'));
    expect(() => configFromArgv(["--client", ","])).toThrow(new UsageError("WC_BAD_VALUE", "--client: empty; name one or more of wire,library"));
    const file = withFile({ client: ["wire", "h2load"] });
    expect(() => configFromArgv(["--config", file])).toThrow(new UsageError("WC_BAD_VALUE", `${file}: "client": unknown client "h2load"; choose from wire,library`));
  });

  it("exits 2 with one line for a bad value", () => {
    const r = spawnSync(process.execPath, [BIN, "--client", "fast"], { encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('wirecost: --client: unknown client "fast"; choose from wire,library');
  });
});
