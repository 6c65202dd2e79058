/**
 * A user's own server (a `servers` entry, bench/config/user-servers.ts) as a scenario's subject: a directory of its
 * own as `{dir}` — holding the run's certificate and key for an h2 entry (`{dir}/cert.pem`, `{dir}/key.pem`) and the
 * entry's `configFile` under its own name — then its command with the placeholders filled in, started, judged ready
 * and stopped with its whole process tree as any foreign server is (foreign-server.ts). The result records the
 * command line, the version it gave, its config file, and what was checked of each answer.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { TlsMaterial } from "../../contract/index.ts";
import type { UserServer } from "../config/user-servers.ts";
import type { ForeignServerRecord } from "../results/schema.ts";
import type { Command } from "../support/child-process.ts";
import { fillPlaceholders } from "../support/placeholders.ts";
import { anyPort, startForeignServer } from "./foreign-server.ts";
import type { ArmServer } from "./server-process.ts";

/** Most of a version command's output kept: its first line, as `nginx -v` or `python3 --version` give. */
function versionOf(command: readonly string[] | null): string | null {
  if (command === null) return null;
  const [file = "", ...args] = command;
  const out = spawnSync(file, args, { encoding: "utf8", timeout: 5_000 });
  const line = `${out.stdout ?? ""}${out.stderr ?? ""}`.trim().split("\n")[0] ?? "";
  return line === "" ? null : line.slice(0, 200);
}

/** What the clients checked of each answer, in the result's words. */
export function verifiedOf(entry: UserServer): string {
  const { expect } = entry.exchange;
  const size = expect.bodyBytes === null ? "any body" : `a ${entry.grpc === null ? "body" : "message"} of ${expect.bodyBytes} bytes`;
  const status = entry.grpc === null ? `status ${expect.status}` : "status 200 and grpc-status 0";
  return `${status} and ${size}; a user's server cannot echo a sequence number, so answers were not paired with their requests beyond what ${entry.protocol} pairs`;
}

/** `signal` abandons the wait for the server to listen (foreign-server.ts); what was started is then stopped and removed. */
export async function startUserServer(entry: UserServer, host: string, tls: TlsMaterial | undefined, wrap: (argv: string[]) => Command, signal?: AbortSignal): Promise<ArmServer> {
  const dir = mkdtempSync(join(tmpdir(), "wirecost-server-"));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    if (tls !== undefined) {
      writeFileSync(join(dir, "cert.pem"), tls.certPem, { mode: 0o600 });
      writeFileSync(join(dir, "key.pem"), tls.keyPem, { mode: 0o600 });
    }
    let config: string | null = null;
    if (entry.configFile !== null) {
      copyFileSync(entry.configFile, join(dir, basename(entry.configFile)));
      config = readFileSync(entry.configFile, "utf8");
    }
    const port = entry.port === 0 ? await anyPort() : entry.port;
    const argv = fillPlaceholders(entry.command, { host, port, dir });
    const server = await startForeignServer({ name: entry.name, argv, port, readyTimeoutMs: entry.readyTimeoutMs }, wrap, undefined, signal);
    const foreign: ForeignServerRecord = { name: entry.name, version: versionOf(entry.versionCommand), argv, config, verified: verifiedOf(entry) };
    return {
      child: server.child,
      port,
      pid: server.pid,
      foreign,
      stop: async (graceMs) => {
        await server.stop(graceMs);
        remove();
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}
