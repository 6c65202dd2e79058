import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdir, readFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { ChildUsageError, EXIT_WITH_STDIN, parseServerArgs, TLS_FD } from "../servers/child.ts";
import { DEFAULT_SERVER_SETTINGS, OUR_ARMS, PROTOCOLS, usesTls } from "../contract/index.ts";
import type { Protocol, ServerOptions } from "../contract/index.ts";
import { makeTlsMaterial } from "../bench/run/tls.ts";
import type { TlsFiles } from "../bench/run/tls.ts";
import { createClient } from "../clients/index.ts";
import { serverEntry } from "../servers/index.ts";
import { serverCommand, startServerProcess } from "../bench/run/server-process.ts";
import { PRIVATE_INPUT_FD } from "../bench/support/child-process.ts";

let tls: TlsFiles;
beforeAll(async () => {
  tls = await makeTlsMaterial();
});
afterAll(async () => {
  await tls?.cleanup();
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `tlsInput`, when given, is written to the child's fd PRIVATE_INPUT_FD (the fourth in `stdio`), named by --tls-fd. */
function spawnServer(protocol: Protocol, options: string, extra: string[] = [], tlsInput?: string): { child: ChildProcess; exited: Promise<Exit> } {
  const tlsArgs = tlsInput === undefined ? [] : [TLS_FD, String(PRIVATE_INPUT_FD)];
  const child = spawn(process.execPath, [serverEntry(protocol), ...extra, "--options", options, ...tlsArgs], {
    stdio: [extra.includes(EXIT_WITH_STDIN) ? "pipe" : "ignore", "pipe", "pipe", ...(tlsInput === undefined ? [] : ["pipe" as const])],
  });
  if (tlsInput !== undefined) (child.stdio[PRIVATE_INPUT_FD] as Writable).end(tlsInput);
  const exited = once(child, "exit").then(([code, signal]) => ({ code, signal }) as Exit);
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, exited };
}

function readAll(stream: NodeJS.ReadableStream | null): Promise<string> {
  if (stream === null) return Promise.resolve("");
  stream.setEncoding("utf8");
  let text = "";
  stream.on("data", (chunk: string) => (text += chunk));
  return once(stream, "end").then(() => text);
}

/** What the harness writes to the --tls-fd descriptor of a TLS arm's server; undefined for the others. */
function tlsInputFor(protocol: Protocol): string | undefined {
  return usesTls(protocol) ? JSON.stringify({ keyPem: tls.keyPem, certPem: tls.certPem }) : undefined;
}

/** The key's second base64 line: random bytes only (the first starts with the header every P-256 key shares). */
function keyLine(keyPem: string): string {
  const line = keyPem.split("\n")[2] ?? "";
  expect(line).toMatch(/^[A-Za-z0-9+/]{64}$/);
  return line;
}

/** Every process's command line by pid, NULs kept; a process that exits while the list is read is left out. */
async function commandLines(): Promise<Map<number, string>> {
  const lines = new Map<number, string>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      lines.set(Number(entry), await readFile(`/proc/${entry}/cmdline`, "utf8"));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ESRCH") throw error;
    }
  }
  return lines;
}

/** The first stdout line, or a rejection if the child exits before printing one. */
function firstLine(child: ChildProcess, exited: Promise<Exit>): Promise<string> {
  const line = new Promise<string>((resolve) => {
    let text = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      text += chunk;
      const end = text.indexOf("\n");
      if (end >= 0) resolve(text.slice(0, end));
    });
  });
  const early = exited.then((exit) => Promise.reject(new Error(`server exited before it was ready: ${JSON.stringify(exit)}`)));
  return Promise.race([line, early]);
}


/** A client of one connection and one stream on loopback, trusting the run's certificate. */
function oneConnectionClient(protocol: Protocol, port: number) {
  return createClient({ protocol, host: "127.0.0.1", port, connections: 1, streams: 1, requestBytes: 32, responseBytes: 512, requestTimeoutMs: 5_000, caPem: tls.certPem });
}

describe.each(OUR_ARMS.map((arm) => arm.name))("the %s server as a child process", (protocol) => {
  it("prints its port and pid, answers, and exits 0 on SIGTERM", async () => {
    const opts: ServerOptions = {
      protocol,
      host: "127.0.0.1",
      port: 0,
      requestBytes: 32,
      responseBytes: 512,
      settings: DEFAULT_SERVER_SETTINGS,
    };
    const { child, exited } = spawnServer(protocol, JSON.stringify(opts), [], tlsInputFor(protocol));
    const stderr = readAll(child.stderr);
    const ready = JSON.parse(await firstLine(child, exited)) as { port: number; pid: number };
    expect(ready.pid).toBe(child.pid);
    expect(ready.port).toBeGreaterThan(0);

    const client = await oneConnectionClient(protocol, ready.port);
    const outcome = await new Promise((resolve) => client.send(1, resolve));
    await client.close();
    expect(outcome).toBeNull();

    child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await stderr).toBe("");
  });

  it("with --exit-with-stdin, closes and exits 0 when the harness's end of stdin closes", async () => {
    const opts = { protocol, host: "127.0.0.1", port: 0, requestBytes: 32, responseBytes: 512, settings: DEFAULT_SERVER_SETTINGS };
    const { child, exited } = spawnServer(protocol, JSON.stringify(opts), [EXIT_WITH_STDIN], tlsInputFor(protocol));
    await firstLine(child, exited);
    child.stdin?.end();
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it("exits 2 with one line on stderr when --options is invalid", async () => {
    const { child, exited } = spawnServer(protocol, JSON.stringify({ protocol, port: "eighty" }));
    const [stdout, stderr] = await Promise.all([readAll(child.stdout), readAll(child.stderr)]);
    expect(await exited).toEqual({ code: 2, signal: null });
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^invalid --options: [^\n]*port[^\n]*\n$/);
  });
});

describe("the h2 server child's TLS material", () => {
  const opts = { protocol: "h2", host: "127.0.0.1", port: 0, requestBytes: 32, responseBytes: 512, settings: DEFAULT_SERVER_SETTINGS } as const;

  /** Runs the child to its exit; it must exit 2 before listening, with one line on stderr. */
  async function refused(options: string, tlsInput?: string): Promise<string> {
    const { child, exited } = spawnServer("h2", options, [], tlsInput);
    const [stdout, stderr] = await Promise.all([readAll(child.stdout), readAll(child.stderr)]);
    expect(await exited).toEqual({ code: 2, signal: null });
    expect(stdout).toBe("");
    return stderr;
  }

  it("is refused inside --options, where every local user could read it", async () => {
    // Not the real key: this one is in a command line, where it is refused.
    const stderr = await refused(JSON.stringify({ ...opts, tls: { keyPem: "a key in argv", certPem: "a certificate in argv" } }));
    expect(stderr).toBe("--options must not carry tls, since every local user can read a command line: pass it on --tls-fd\n");
  });

  it("is required: without --tls-fd the h2 server exits 2", async () => {
    expect(await refused(JSON.stringify(opts))).toMatch(/^--options protocol h2 needs --tls-fd <n>[^\n]*\n$/);
  });

  it("is not quoted back when the descriptor carries something that is not JSON", async () => {
    const truncated = JSON.stringify({ keyPem: tls.keyPem, certPem: tls.certPem }).slice(0, -2);
    const stderr = await refused(JSON.stringify(opts), truncated);
    expect(stderr).toBe(`the TLS material on --tls-fd is not JSON (${truncated.length} characters)\n`);
    expect(truncated).toContain(keyLine(tls.keyPem));
  });

  it("must be exactly { keyPem, certPem }", async () => {
    const stderr = await refused(JSON.stringify(opts), JSON.stringify({ keyPem: tls.keyPem }));
    expect(stderr).toMatch(/^invalid TLS material on --tls-fd: certPem: [^\n]*\n$/);
  });
});

describe("the harness's h2 server child", () => {
  const opts: ServerOptions = { protocol: "h2", host: "127.0.0.1", port: 0, requestBytes: 32, responseBytes: 512, settings: DEFAULT_SERVER_SETTINGS };

  it("gets the key and certificate on a pipe, never in its command line", () => {
    const { argv, privateInput } = serverCommand({ ...opts, tls });
    const options = argv[argv.indexOf("--options") + 1] ?? "";
    expect(JSON.parse(options)).toEqual(opts);
    expect(argv.slice(-2)).toEqual([TLS_FD, String(PRIVATE_INPUT_FD)]);
    for (const arg of argv) {
      expect(arg).not.toContain(keyLine(tls.keyPem));
      expect(arg).not.toContain("BEGIN");
    }
    // Only the PEMs: not bench/run/tls.ts's directory.
    expect(JSON.parse(privateInput ?? "")).toEqual({ keyPem: tls.keyPem, certPem: tls.certPem });

    const cleartext = serverCommand({ ...opts, protocol: "h2c" });
    expect(cleartext.privateInput).toBeUndefined();
    expect(cleartext.argv).not.toContain(TLS_FD);
  });

  it("started as the harness starts it, leaves the key in no command line on the machine and answers over TLS", async () => {
    const secret = keyLine(tls.keyPem);
    // As placement.ts and topology.ts wrap it: nice, then taskset (on the CPUs this process may use), each of which
    // execs with the descriptors it has.
    const cpus = /^Cpus_allowed_list:\s*(\S+)$/m.exec(await readFile("/proc/self/status", "utf8"))?.[1] ?? "";
    const server = await startServerProcess({ ...opts, tls }, (argv) => ({ file: "nice", args: ["-n", "0", "taskset", "-c", cpus, ...argv] }));
    onTestFinished(async () => {
      await server.child.stop(1_000);
    });
    // The wrappers exec, so the server is the process spawned.
    expect(server.pid).toBe(server.child.pid);

    const own = (await readFile(`/proc/${server.pid}/cmdline`, "utf8")).split("\0");
    expect(own).toContain(serverEntry("h2"));
    expect(own).toContain(TLS_FD);
    expect(own.join(" ")).not.toContain(secret);
    const all = await commandLines();
    expect(all.get(server.pid)).toBe(own.join("\0"));
    expect(all.has(process.pid)).toBe(true);
    expect([...all].filter(([, line]) => line.includes(secret)).map(([pid]) => pid)).toEqual([]);

    const client = await oneConnectionClient("h2", server.port);
    onTestFinished(() => client.close());
    expect(await new Promise((resolve) => client.send(1, resolve))).toBeNull();
  });
});

describe("the TLS parameters in --options", () => {
  const opts = { protocol: "https1-close", host: "127.0.0.1", port: 0, requestBytes: 32, responseBytes: 512, settings: DEFAULT_SERVER_SETTINGS } as const;
  const parse = (extra: object) => parseServerArgs(["--options", JSON.stringify({ ...opts, ...extra }), TLS_FD, "3"], "http1");

  it("travel as the harness gives them, and may be left out", () => {
    const tlsParameters = { version: "1.2", ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256" };
    expect(parse({ tlsParameters }).options).toEqual({ ...opts, tlsParameters });
    expect(parse({}).options).toEqual(opts);
  });

  it("are refused with a version the flag does not offer, or an empty cipher string", () => {
    expect(() => parse({ tlsParameters: { version: "1.1", ciphers: null } })).toThrow(ChildUsageError);
    expect(() => parse({ tlsParameters: { version: "1.1", ciphers: null } })).toThrow(/^invalid --options: tlsParameters\.version: /);
    expect(() => parse({ tlsParameters: { version: "auto", ciphers: "" } })).toThrow(/^invalid --options: tlsParameters\.ciphers: /);
  });
});
