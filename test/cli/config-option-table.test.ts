import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { configFileSchema, readConfigFile } from "../../bench/config/config-file.ts";
import type { Option } from "../../bench/config/option-types.ts";
import { OPTIONS } from "../../bench/config/options.ts";
import { DEFAULTS, resolveConfig } from "../../bench/config/resolve.ts";

const dir = mkdtempSync(join(tmpdir(), "wirecost-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function writeConfig(content: unknown): string {
  const path = join(dir, `c${files++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

function config(argv: readonly string[]): BenchConfig {
  const c = configFromArgv(argv);
  if (c === "help") throw new Error("unexpected help");
  return c;
}

function fieldOf(c: BenchConfig, field: string): unknown {
  return field.split(".").reduce<unknown>((value, name) => (value as Record<string, unknown> | null)?.[name], c);
}

const camel = (flag: string): string => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
const isSweepRow = (o: Option): boolean => o.field.startsWith("sweep.");
const keyed = OPTIONS.filter((o) => o.key !== null);

/** A valid value for the option: as a flag's text, as the config file's JSON, and what it resolves to. */
function sample(o: Option): { flag: string | null; json: unknown; resolved: unknown } {
  switch (o.kind) {
    case "integer":
    case "number":
      return { flag: String(o.max), json: o.max, resolved: o.max };
    case "duration":
      return { flag: `${o.maxMs}ms`, json: o.maxMs / 1000, resolved: o.unit === "us" ? o.maxMs * 1000 : o.maxMs };
    case "choice":
      return { flag: o.choices.at(-1) ?? "", json: o.choices.at(-1), resolved: o.choices.at(-1) };
    case "list":
      return { flag: o.choices.slice(-2).join(","), json: o.choices.slice(-2), resolved: o.choices.slice(-2) };
    case "text":
      // The one text OpenSSL must accept: a TLS 1.3 suite, as --tls-ciphers needs with the default --tls-version.
      if (o.flag === "tls-ciphers") return { flag: "TLS_AES_128_GCM_SHA256", json: "TLS_AES_128_GCM_SHA256", resolved: "TLS_AES_128_GCM_SHA256" };
      if (o.flag === "tls-groups") return { flag: "X25519", json: "X25519", resolved: "X25519" };
      if (o.flag === "agents") return { flag: "server=10.0.0.1:7000,client=10.0.0.2:7000", json: "server=10.0.0.1:7000,client=10.0.0.2:7000", resolved: "server=10.0.0.1:7000,client=10.0.0.2:7000" };
      // A protocol and a command that exists; the field keeps the text, and `servers` gets the entry.
      if (o.flag === "server-command") return { flag: "http1 /bin/true {port}", json: "http1 /bin/true {port}", resolved: "http1 /bin/true {port}" };
      return { flag: "elsewhere", json: "elsewhere", resolved: "elsewhere" };
    case "rate":
      return { flag: "2mbit", json: "2mbit", resolved: 2_000_000 };
    case "netem":
      return { flag: "delay 1ms", json: "delay 1ms", resolved: ["delay", "1ms"] };
    case "cpu":
      return { flag: "0", json: 0, resolved: 0 };
    case "boolean":
      return { flag: null, json: true, resolved: true };
    case "sweep-rate":
      return { flag: "2", json: 2, resolved: 2 };
    case "file":
      return { flag: "unused", json: undefined, resolved: undefined };
  }
}

/**
 * A sweep's rows are read only with --sweep and both rates; the row's own flag is left to the test. h2load
 * (`--driver`'s last choice) drives only some arms.
 */
const context = (o: Option): string[] => {
  if (o.flag === "driver") return ["--protocols", "http1"];
  // It applies only to a WebSocket arm on the library client (bench/config/websocket-rules.ts).
  if (o.flag === "ws-deflate") return ["--protocols", "ws", "--client", "library"];
  // It applies only across hosts (bench/config/hosts-rules.ts), which run cleartext arms.
  if (o.flag === "client-hosts") return ["--topology", "hosts", "--protocols", "http1"];
  // Each needs the other (bench/config/hosts-rules.ts); the token file is read only when the run starts.
  if (o.flag === "agents") return ["--token-file", "t"];
  if (o.flag === "token-file") return ["--agents", "server=10.0.0.1:7000,client=10.0.0.2:7000"];
  return isSweepRow(o) ? ["--sweep", "--from", "1", "--to", "3"].filter((_, i, a) => a[i] !== `--${o.flag}` && a[i - 1] !== `--${o.flag}`) : [];
};

describe("the option table", () => {
  it("names each option once by flag, once by config key, and once by field", () => {
    for (const column of ["flag", "key", "field"] as const) {
      const values = OPTIONS.map((o) => o[column]).filter((v) => v !== null);
      expect(new Set(values).size, column).toBe(values.length);
    }
  });

  it("gives each config key as the flag in camelCase, the server settings nested under server", () => {
    for (const o of keyed) expect(o.key).toBe(o.field.startsWith("server.") ? `server.${camel(o.flag)}` : camel(o.flag));
    expect(OPTIONS.filter((o) => o.key === null).map((o) => o.flag)).toEqual(["json", "config"]);
  });

  it("keeps a help group's rows together, so the group is one entry of --help", () => {
    const groups = OPTIONS.map((o) => ("group" in o ? o.group.name : null));
    const runs = groups.filter((g, i) => g !== null && g !== groups[i - 1]);
    expect(runs).toEqual(["sweep", "server"]);
  });
});

describe("the config file schema", () => {
  it("has exactly the table's keys and servers, the server settings as a strict section", () => {
    const top = new Set(keyed.map((o) => (o.key ?? "").split(".")[0]));
    // And `servers`, the user's own servers, which no option reads (bench/config/user-servers.ts).
    expect(Object.keys(configFileSchema.shape).sort()).toEqual([...top, "servers"].sort());
    const server = (configFileSchema.shape.server as z.ZodOptional<z.ZodObject>).unwrap();
    expect(Object.keys(server.shape).sort()).toEqual(keyed.filter((o) => o.key?.startsWith("server.")).map((o) => (o.key ?? "").slice(7)).sort());
  });

  it("accepts a file with every key of the table", () => {
    const file: Record<string, unknown> = {};
    for (const o of keyed) {
      const [outer = "", inner] = (o.key ?? "").split(".");
      if (inner === undefined) file[outer] = sample(o).json;
      else file[outer] = { ...(file[outer] as object), [inner]: sample(o).json };
    }
    expect(readConfigFile(writeConfig(file))).toEqual(file);
  });

  it.each(["json", "config", "help", "maxConcurrentStreams", "durationMs"])("refuses %s, which is not a key of the table", (key) => {
    const path = writeConfig({ [key]: 1 });
    expect(() => readConfigFile(path)).toThrow(`--config ${path}: unknown key "${key}"; allowed keys are `);
  });
});

describe("resolving by the table", () => {
  it("gives every option's default when given nothing", () => {
    const none = resolveConfig({ flags: {}, file: null, configFile: null });
    expect(none).toEqual(DEFAULTS);
    for (const o of OPTIONS.filter((o) => !isSweepRow(o) && o.flag !== "sweep")) expect({ [o.flag]: fieldOf(none, o.field) }).toEqual({ [o.flag]: o.default });
    expect(none.sweep).toBeNull();
  });

  it("gives a sweep's defaults for what --sweep --from --to leave out", () => {
    const swept = config(["--sweep", "--from", "1", "--to", "3"]);
    for (const o of OPTIONS.filter((o) => isSweepRow(o) && o.default !== null)) expect({ [o.flag]: fieldOf(swept, o.field) }).toEqual({ [o.flag]: o.default });
    expect(OPTIONS.filter((o) => isSweepRow(o) && o.default === null).map((o) => o.flag)).toEqual(["from", "to"]);
  });

  it.each(OPTIONS.filter((o) => o.kind !== "file" && o.flag !== "sweep").map((o) => [o.flag, o] as const))(
    "fills --%s's field from its flag and from its config key alike",
    (_, o) => {
      const { flag, json, resolved } = sample(o);
      const fromFlag = config([...context(o), `--${o.flag}`, ...(flag === null ? [] : [flag])]);
      expect(fieldOf(fromFlag, o.field)).toEqual(resolved);
      expect(resolved).not.toEqual(o.default);
      if (o.key === null) return;
      const [outer = "", inner] = o.key.split(".");
      const path = writeConfig(inner === undefined ? { [outer]: json } : { [outer]: { [inner]: json } });
      expect(fieldOf(config([...context(o), "--config", path]), o.field)).toEqual(resolved);
    },
  );
});
