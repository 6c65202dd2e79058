/**
 * Starts an arm's server: ours, a child (servers/<family>/server.ts) whose `{"port":N,"pid":P}` line says it listens;
 * or nginx (contract/arms.ts `server`), configured for the scenario in a directory of its own (bench/run/nginx.ts)
 * and run as a foreign server (bench/run/foreign-server.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXED_ANSWER_SEQ } from "../../clients/common/fixed-answer.ts";
import { armOf, assertNever } from "../../contract/index.ts";
import type { Protocol } from "../../contract/index.ts";
import { encodePayload, makeBody, MAX_BODY_BYTES } from "../../proto/codec.ts";
import { anyPort, startForeignServer } from "./foreign-server.ts";
import { nginxCommand, nginxConfig, writeNginxSite } from "./nginx.ts";
import type { NginxMode, NginxSite } from "./nginx.ts";
import type { ForeignServerRecord } from "../results/schema.ts";
import { serverEntry } from "../../servers/index.ts";
import { EXIT_WITH_STDIN, TLS_FD } from "../../servers/child.ts";
import type { ServerOptions } from "../../contract/index.ts";
import { describeExit, PRIVATE_INPUT_FD, spawnTracked, withTimeout } from "../support/child-process.ts";
import type { Command, TrackedChild } from "../support/child-process.ts";

export interface ServerProcess {
  readonly child: TrackedChild;
  readonly port: number;
  readonly pid: number;
}

/** A running arm server of either kind, and how to stop it (and remove what it was given). */
export interface ArmServer extends ServerProcess {
  stop(graceMs: number): Promise<void>;
  readonly foreign: ForeignServerRecord | null;
}

export const SERVER_START_TIMEOUT_MS = 20_000;

export interface ServerCommand {
  readonly argv: string[];
  /** What the child reads from PRIVATE_INPUT_FD (the TLS key and certificate), or undefined. */
  readonly privateInput: string | undefined;
}

/**
 * The server child's command line and what goes to it on a pipe instead: `options.tls` never enters the argv, which
 * every local user can read in /proc/PID/cmdline. Only `keyPem` and `certPem` are sent, whatever else the caller's
 * object holds (bench/run/tls.ts's TlsFiles has its directory and a cleanup function). Pure.
 */
export function serverCommand(options: ServerOptions): ServerCommand {
  const { tls, ...withoutTls } = options;
  const argv = [process.execPath, serverEntry(options.protocol), EXIT_WITH_STDIN, "--options", JSON.stringify(withoutTls)];
  if (tls === undefined) return { argv, privateInput: undefined };
  return {
    argv: [...argv, TLS_FD, String(PRIVATE_INPUT_FD)],
    privateInput: JSON.stringify({ keyPem: tls.keyPem, certPem: tls.certPem }),
  };
}

/** `wrap` puts the command inside the server's namespace and CPU (topology); identity on loopback. */
export async function startServerProcess(options: ServerOptions, wrap: (argv: string[]) => Command): Promise<ServerProcess> {
  const { argv, privateInput } = serverCommand(options);
  const child = spawnTracked(`${options.protocol} server`, wrap(argv), undefined, privateInput);
  const firstLine = new Promise<string>((resolve, reject) => {
    let buffered = "";
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const nl = buffered.indexOf("\n");
      if (nl >= 0) {
        child.process.stdout?.off("data", onData);
        resolve(buffered.slice(0, nl));
      }
    };
    child.process.stdout?.on("data", onData);
    void child.exited.then((exit) => reject(new Error(describeExit(`${options.protocol} server`, exit, child.stderrTail()))));
  });
  try {
    const line = await withTimeout(firstLine, SERVER_START_TIMEOUT_MS, `${options.protocol} server did not report its port within ${SERVER_START_TIMEOUT_MS / 1000} s`);
    const ready = JSON.parse(line) as { port?: unknown; pid?: unknown };
    if (typeof ready.port !== "number" || typeof ready.pid !== "number") throw new Error(`${options.protocol} server's first line is not {"port","pid"}: ${line}`);
    // Keep draining stdout so a chatty server never blocks on a full pipe.
    child.process.stdout?.resume();
    return { child, port: ready.port, pid: ready.pid };
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
}

/** The nginx mode that serves `protocol`'s family, connection model and transport. */
function nginxModeOf(protocol: Protocol): NginxMode {
  const arm = armOf(protocol);
  switch (arm.family) {
    case "http1":
      return arm.connection === "per-request" ? "http1-close" : "http1";
    case "http2":
      return arm.tls ? "h2" : "h2c";
    case "grpc":
    case "websocket":
      throw new TypeError(`nginx does not serve ${protocol} (${arm.family})`);
    default:
      return assertNever(arm.family);
  }
}

/** `nginx -v` prints "nginx version: nginx/1.22.1" on stderr. */
function nginxVersion(): string | null {
  const out = spawnSync("nginx", ["-v"], { encoding: "utf8", timeout: 5_000 });
  const line = `${out.stderr ?? ""}${out.stdout ?? ""}`.trim().split("\n")[0] ?? "";
  return line === "" ? null : line;
}

async function startNginx(options: ServerOptions, wrap: (argv: string[]) => Command, signal?: AbortSignal): Promise<ArmServer> {
  const dir = mkdtempSync(join(tmpdir(), "wirecost-nginx-"));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const port = options.port === 0 ? await anyPort() : options.port;
    const site: NginxSite = {
      mode: nginxModeOf(options.protocol),
      host: options.host,
      port,
      dir,
      maxRequestBytes: MAX_BODY_BYTES + 32,
      maxConcurrentStreams: options.settings.maxConcurrentStreams,
    };
    writeNginxSite(site, encodePayload(FIXED_ANSWER_SEQ, makeBody(options.responseBytes)), options.tls);
    const argv = nginxCommand(dir);
    const server = await startForeignServer({ name: options.protocol, argv, port, readyTimeoutMs: SERVER_START_TIMEOUT_MS }, wrap, undefined, signal);
    return {
      child: server.child,
      port,
      pid: server.pid,
      stop: async (graceMs) => {
        await server.stop(graceMs);
        remove();
      },
      foreign: {
        name: "nginx",
        version: nginxVersion(),
        argv,
        config: nginxConfig(site),
        verified: `status 200 and the fixed answer, sequence number ${FIXED_ANSWER_SEQ} with a ${options.responseBytes}-byte body, byte for byte; requests carry sequence number ${FIXED_ANSWER_SEQ}, since nginx cannot echo one`,
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Starts the server of `options.protocol`'s arm: ours, or the one the arms table names; `signal` abandons nginx's start. */
export async function startArmServer(options: ServerOptions, wrap: (argv: string[]) => Command, signal?: AbortSignal): Promise<ArmServer> {
  const server = armOf(options.protocol).server;
  switch (server) {
    case "node": {
      const own = await startServerProcess(options, wrap);
      return { ...own, stop: async (graceMs) => void (await own.child.stop(graceMs)), foreign: null };
    }
    case "nginx":
      return startNginx(options, wrap, signal);
    default:
      return assertNever(server);
  }
}
