import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { EXIT_WITH_STDIN } from "../servers/child.ts";
import { DEFAULT_SERVER_SETTINGS, PROTOCOLS, usesTls } from "../contract/index.ts";
import type { Protocol, ServerOptions } from "../contract/index.ts";
import { makeTlsMaterial } from "../bench/run/tls.ts";
import type { TlsFiles } from "../bench/run/tls.ts";
import { createClient } from "../clients/index.ts";
import { serverEntry } from "../servers/index.ts";

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

function spawnServer(protocol: Protocol, options: string, extra: string[] = []): { child: ChildProcess; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [serverEntry(protocol), ...extra, "--options", options], {
    stdio: [extra.includes(EXIT_WITH_STDIN) ? "pipe" : "ignore", "pipe", "pipe"],
  });
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

describe.each(PROTOCOLS)("the %s server as a child process", (protocol) => {
  it("prints its port and pid, answers, and exits 0 on SIGTERM", async () => {
    const opts: ServerOptions = {
      protocol,
      host: "127.0.0.1",
      port: 0,
      requestBytes: 32,
      responseBytes: 512,
      settings: DEFAULT_SERVER_SETTINGS,
      ...(usesTls(protocol) ? { tls } : {}),
    };
    const { child, exited } = spawnServer(protocol, JSON.stringify(opts));
    const stderr = readAll(child.stderr);
    const ready = JSON.parse(await firstLine(child, exited)) as { port: number; pid: number };
    expect(ready.pid).toBe(child.pid);
    expect(ready.port).toBeGreaterThan(0);

    const client = await createClient({
      protocol,
      host: "127.0.0.1",
      port: ready.port,
      connections: 1,
      streams: 1,
      requestBytes: 32,
      responseBytes: 512,
      requestTimeoutMs: 5_000,
      caPem: tls.certPem,
    });
    const outcome = await new Promise((resolve) => client.send(1, resolve));
    await client.close();
    expect(outcome).toBeNull();

    child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await stderr).toBe("");
  });

  it("with --exit-with-stdin, closes and exits 0 when the harness's end of stdin closes", async () => {
    const opts = { protocol, host: "127.0.0.1", port: 0, requestBytes: 32, responseBytes: 512, settings: DEFAULT_SERVER_SETTINGS, ...(usesTls(protocol) ? { tls } : {}) };
    const { child, exited } = spawnServer(protocol, JSON.stringify(opts), [EXIT_WITH_STDIN]);
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
