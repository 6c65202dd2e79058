/**
 * `servers` in the config file (issue 12): each entry read into exactly what the run is told, `--protocols` split
 * between arms and servers, and every mistake one line naming the entry, the key and the fix, before anything runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { UsageError } from "../../bench/support/errors.ts";
import { runSlots, scenarioName } from "../../bench/run/slots.ts";
import { userServerEntry } from "../support/user-server-entry.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));
const PROTO = fileURLToPath(new URL("../fixtures/user-servers/greeter.proto", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wirecost-user-servers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "req.json"), '{"name":"x"}');
writeFileSync(join(dir, "site.conf"), "listen 8080;\n");

let files = 0;
/** A config file holding `servers` (and `extra` keys), and its path. */
function configWith(servers: unknown[], extra: Record<string, unknown> = {}): string {
  const path = join(dir, `wirecost-${files++}.json`);
  writeFileSync(path, JSON.stringify({ servers, ...extra }));
  return path;
}

function config(argv: string[]): BenchConfig {
  const c = configFromArgv(argv);
  if (c === "help") throw new Error("help");
  return c;
}

// Node stands in for the user's program here, so these tests need no python3; the live test runs python3 itself.
const PY = { name: "py", protocol: "http1", command: [process.execPath, "-m", "http.server", "{port}", "--bind", "{host}"] };
const API = {
  name: "my-api",
  protocol: "h2c",
  command: [process.execPath, "server.js", "--port={port}", "--conf={dir}/site.conf"],
  port: 8080,
  request: { method: "PUT", path: "/v1/echo?x=1", headers: { "Content-Type": "application/json", "x-trace": "on" }, bodyFile: "req.json" },
  expect: { status: 201, bodyBytes: 12 },
  readyTimeoutMs: 2500,
  versionCommand: [process.execPath, "--version"],
  configFile: "site.conf",
};
const GREETER = { name: "greeter", protocol: "grpc", command: [process.execPath, "greeter-server.ts"], grpc: { proto: PROTO, method: "demo.v1.Greeter/SayHello", message: { name: "wirecost", times: 3 } } };

function refusal(entry: Record<string, unknown>, argv: string[] = []): string {
  const path = configWith([entry]);
  try {
    config(["--config", path, ...argv]);
  } catch (error) {
    if (error instanceof UsageError) return error.message.replace(path, "FILE");
    throw error;
  }
  throw new Error("no refusal");
}

describe("servers in the config file", () => {
  it("read an entry into what the run is told: defaults filled in, files read relative to the config file, the request encoded", () => {
    const c = config(["--config", configWith([PY, API])]);
    expect(c.protocols).toEqual([]);
    expect(c.servers).toEqual([
      {
        name: "py",
        protocol: "http1",
        command: PY.command,
        port: 0,
        exchange: { method: "GET", path: "/", headers: [], bodyBase64: "", expect: { status: 200, bodyBytes: null } },
        grpc: null,
        readyTimeoutMs: 10_000,
        versionCommand: null,
        configFile: null,
      },
      {
        name: "my-api",
        protocol: "h2c",
        command: API.command,
        port: 8080,
        exchange: {
          method: "PUT",
          path: "/v1/echo?x=1",
          headers: [
            ["content-type", "application/json"],
            ["x-trace", "on"],
          ],
          bodyBase64: Buffer.from('{"name":"x"}').toString("base64"),
          expect: { status: 201, bodyBytes: 12 },
        },
        grpc: null,
        readyTimeoutMs: 2500,
        versionCommand: [process.execPath, "--version"],
        configFile: join(dir, "site.conf"),
      },
    ]);
  });

  it("take a program given as a path from the config file's directory, as every other path of an entry", () => {
    writeFileSync(join(dir, "my-server"), "#!/bin/sh\n", { mode: 0o755 });
    const [entry] = config(["--config", configWith([{ name: "mine", protocol: "http1", command: ["./my-server", "--port={port}"], versionCommand: ["./my-server", "-v"] }])]).servers ?? [];
    expect([entry?.command, entry?.versionCommand]).toEqual([
      [join(dir, "my-server"), "--port={port}"],
      [join(dir, "my-server"), "-v"],
    ]);
  });

  it("build a gRPC entry's request from its .proto: the method's path and the message's protobuf bytes", () => {
    const [greeter] = config(["--config", configWith([GREETER])]).servers ?? [];
    // HelloRequest{name: "wirecost", times: 3}: field 1 (0x0a) length 8 "wirecost", field 2 (0x10) varint 3.
    expect(greeter?.exchange).toEqual({
      method: "POST",
      path: "/demo.v1.Greeter/SayHello",
      headers: [],
      bodyBase64: Buffer.from([0x0a, 0x08, ...Buffer.from("wirecost"), 0x10, 0x03]).toString("base64"),
      expect: { status: 200, bodyBytes: null },
    });
    expect(greeter?.grpc).toEqual({ proto: PROTO, method: "demo.v1.Greeter/SayHello" });
    // A bidi method for grpc-stream: the same message bytes, sent on its one long-lived call.
    const [chat] = config(["--config", configWith([{ ...GREETER, name: "chat", protocol: "grpc-stream", grpc: { ...GREETER.grpc, method: "demo.v1.Greeter/Chat" } }])]).servers ?? [];
    expect([chat?.protocol, chat?.exchange.path, chat?.exchange.bodyBase64]).toEqual(["grpc-stream", "/demo.v1.Greeter/Chat", greeter?.exchange.bodyBase64]);
  });

  it("split --protocols between arms and servers, in the run's order, and run every server when it is not given", () => {
    const path = configWith([PY, GREETER]);
    const both = config(["--config", path, "--protocols", "greeter,http1"]);
    expect(both.protocols).toEqual(["http1"]);
    expect(both.servers?.map((s) => s.name)).toEqual(["greeter"]);
    expect(runSlots({ ...both, repeat: 2 }).map((slot) => scenarioName({ ...both, repeat: 2 }, slot))).toEqual(["http1#1", "greeter#1", "greeter#2", "http1#2"]);
    expect(config(["--config", path]).servers?.map((s) => s.name)).toEqual(["py", "greeter"]);
    // A config without servers is what it always was: no `servers` key in the result's config.
    expect("servers" in config(["--protocols", "http1"])).toBe(false);
    expect(() => config(["--config", path, "--protocols", "http1,pyy"])).toThrow(
      new UsageError(
        "WC_BAD_VALUE",
        "--protocols: unknown protocol \"pyy\"; choose from http1,https1,http1-close,https1-close,h2c,h2,grpc,grpc-tls,grpc-stream,grpc-stream-tls,ws,wss,nginx-http1,nginx-http1-close,nginx-h2c,nginx-h2,py,greeter",
      ),
    );
  });

  it("refuse each mistake in one line naming the entry, its key and the fix", () => {
    expect(refusal({ ...PY, name: "http1" })).toBe('FILE: servers[0] ("http1").name: "http1" is an arm\'s name; choose another');
    expect(refusal({ ...PY, name: "My API" })).toBe('FILE: servers[0] ("My API").name: "My API" must be 1–32 of a-z, 0-9 and -, starting with a letter');
    expect(refusal({ ...PY, protocol: "ws" })).toMatch(/^FILE: servers\[0\]\.protocol: Invalid option: expected one of "http1"\|"http1-close"\|"h2c"\|"h2"\|"grpc"\|"grpc-stream"; see the README's "Your own server"$/);
    expect(refusal({ ...PY, command: [process.execPath, "-m", "http.server", "{prot}"] })).toBe(
      'FILE: servers[0] ("py").command: unknown placeholder {prot} in "{prot}"; the command may use {host}, {port} and {dir}',
    );
    expect(refusal({ ...PY, command: ["no-such-server-xyz"] })).toBe('FILE: servers[0] ("py").command: no-such-server-xyz is not found or not executable; give its full path, or install it');
    expect(refusal({ ...PY, request: { method: "HEAD" } })).toBe('FILE: servers[0] ("py").request.method: "HEAD": use GET, POST, PUT, PATCH, DELETE, OPTIONS');
    expect(refusal({ ...PY, request: { method: "FETCH" } })).toBe('FILE: servers[0] ("py").request.method: "FETCH": use GET, POST, PUT, PATCH, DELETE, OPTIONS');
    expect(refusal({ ...PY, request: { headers: { Host: "x" } } })).toBe('FILE: servers[0] ("py").request.headers: "Host" is set by the client; remove it');
    expect(refusal({ ...PY, request: { bodyFile: "missing.json" } })).toBe(`FILE: servers[0] ("py").request.bodyFile: cannot read ${join(dir, "missing.json")} (ENOENT); give a readable file, relative to the config file`);
    expect(refusal({ ...PY, grpc: GREETER.grpc })).toBe('FILE: servers[0] ("py").grpc: only a grpc entry takes it, not http1');
    expect(refusal({ ...GREETER, grpc: { ...GREETER.grpc, method: "demo.v1.Greeter/Chat" } })).toBe(
      'FILE: servers[0] ("greeter").grpc: method "demo.v1.Greeter/Chat" streams; grpc takes a unary method (grpc-stream a bidi one)',
    );
    expect(refusal({ ...GREETER, protocol: "grpc-stream" })).toBe(
      'FILE: servers[0] ("greeter").grpc: method "demo.v1.Greeter/SayHello" is not bidi streaming; grpc-stream takes a bidi method (grpc a unary one)',
    );
    expect(refusal({ ...GREETER, grpc: { ...GREETER.grpc, method: "demo.v1.Nope/SayHello" } })).toBe(`FILE: servers[0] ("greeter").grpc: method "demo.v1.Nope/SayHello" is not in ${PROTO}; its services are demo.v1.Greeter`);
    expect(refusal({ ...GREETER, grpc: { ...GREETER.grpc, message: { nmae: "x" } } })).toBe(
      'FILE: servers[0] ("greeter").grpc: message: "nmae" is not a field of demo.v1.Greeter/SayHello\'s request type; its fields are name, times',
    );
    expect(refusal(PY, ["--client", "library"])).toBe("--client library: a user server (py) is driven by the wire clients only; drop --client or give --client wire");
    expect(refusal(PY, ["--driver", "h2load"])).toBe("--driver h2load: a user server (py) is driven by our generator only; drop --driver");
    expect(refusal({ ...PY, versionCommand: [process.execPath, "{dir}/v"] })).toBe('FILE: servers[0] ("py").versionCommand: it runs before the server, outside {dir}: give it without placeholders');
    expect(refusal({ ...PY, protocol: "h2", configFile: "cert.pem" })).toBe('FILE: servers[0] ("py").configFile: cert.pem is the name of the run\'s own certificate or key in {dir}; rename the file');
    expect(refusal({ ...GREETER, request: { headers: { "content-type": "application/grpc+json" } } })).toBe('FILE: servers[0] ("greeter").request.headers: "content-type" is set by the gRPC client; remove it');
    expect(refusal(PY, ["--server-command", `http1 ${process.execPath}`, "--protocols", "py"])).toBe('--server-command: --protocols does not name "server"; add it to the list, or drop --server-command');
    const named = configWith([{ ...PY, name: "server" }]);
    expect(() => config(["--config", named, "--server-command", `http1 ${process.execPath}`])).toThrow(
      new UsageError("WC_BAD_CONFIG", `--server-command: it runs as "server", and ${named} has a servers entry of that name; rename the entry`),
    );
    const twice = configWith([PY, PY]);
    expect(() => config(["--config", twice])).toThrow(new UsageError("WC_BAD_CONFIG", `${twice}: servers: two entries are named "py"; give each its own name`));
  });

  it("take one server from --server-command: its protocol, then its command split at spaces, named \"server\"", () => {
    const c = config(["--server-command", `h2c  ${process.execPath} -m http.server {port} --bind {host}`]);
    expect(c.serverCommand).toBe(`h2c  ${process.execPath} -m http.server {port} --bind {host}`);
    expect(c.protocols).toEqual([]);
    // The defaults of an entry, pinned in the first test above.
    expect(c.servers).toEqual([userServerEntry({ name: "server", protocol: "h2c", command: [process.execPath, "-m", "http.server", "{port}", "--bind", "{host}"] })]);
    // Beside an arm and a config file's servers; named in --protocols like them.
    const beside = config(["--config", configWith([PY]), "--server-command", `http1 ${process.execPath} {port}`, "--protocols", "server,http1,py"]);
    expect([beside.protocols, beside.servers?.map((s) => s.name)]).toEqual([["http1"], ["server", "py"]]);
    expect(() => config(["--server-command", "ws /bin/true"])).toThrow(
      /^--server-command\.protocol: Invalid option: expected one of "http1"\|"http1-close"\|"h2c"\|"h2"\|"grpc"\|"grpc-stream"; see the README's "Your own server"$/,
    );
    expect(() => config(["--server-command", "http1 no-such-server-xyz {port}"])).toThrow(
      new UsageError("WC_BAD_CONFIG", '--server-command ("server").command: no-such-server-xyz is not found or not executable; give its full path, or install it'),
    );
  });

  it("make npm run bench exit 2 with that one line before it creates anything", () => {
    const path = configWith([{ ...PY, command: ["no-such-server-xyz", "{port}"] }]);
    const out = join(dir, "results");
    const r = spawnSync(process.execPath, [BIN, "--config", path, "--out", out], { encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.stderr).toBe(`wirecost: ${path}: servers[0] ("py").command: no-such-server-xyz is not found or not executable; give its full path, or install it\n`);
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
