/** Starts a server child (servers/<family>/server.ts) and waits for its `{"port":N,"pid":P}` line. */
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
