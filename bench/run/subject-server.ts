/**
 * The server a scenario measures, its subject: the arm's own (ours, or nginx: server-process.ts) or a user's own (a
 * `servers` entry: user-server.ts). How it starts, what its death is called, and when a failure is a mistake in the
 * user's entry — one before any load was offered, which ends the run with exit 2 (run.ts) — rather than the run's.
 */
import type { TlsMaterial, TlsParameters } from "../../contract/index.ts";
import type { BenchConfig } from "../config/config.ts";
import type { UserServer } from "../config/user-servers.ts";
import type { Command } from "../support/child-process.ts";
import { startArmServer } from "./server-process.ts";
import type { ArmServer } from "./server-process.ts";
import { startUserServer } from "./user-server.ts";

export interface SubjectStart {
  readonly protocol: ArmServerProtocol;
  readonly userServer: UserServer | undefined;
  readonly config: BenchConfig;
  readonly tls: TlsMaterial | undefined;
  readonly tlsParameters: TlsParameters;
  /** The address the server binds. */
  readonly host: string;
  /** Puts a command in the server's namespace and on its CPU (the topology's placer). */
  readonly wrap: (argv: string[]) => Command;
  /** Abandons a start still waiting for a foreign server to listen (foreign-server.ts). */
  readonly signal: AbortSignal;
}

type ArmServerProtocol = Parameters<typeof startArmServer>[0]["protocol"];

export function startSubjectServer(s: SubjectStart): Promise<ArmServer> {
  if (s.userServer !== undefined) return startUserServer(s.userServer, s.host, s.tls, s.wrap, s.signal);
  const { config } = s;
  return startArmServer(
    {
      protocol: s.protocol,
      host: s.host,
      port: config.port,
      requestBytes: config.requestBytes,
      responseBytes: config.responseBytes,
      settings: config.server,
      ...(s.tls === undefined ? {} : { tls: s.tls, tlsParameters: s.tlsParameters }),
    },
    s.wrap,
    s.signal,
  );
}

/** What the server is called when it dies: "h2c server", or "server entry py". */
export function subjectServerLabel(protocol: string, userServer: UserServer | undefined): string {
  return userServer === undefined ? `${protocol} server` : `server entry ${userServer.name}`;
}

/** How far a scenario got before it failed. */
export interface FailedAt {
  /** The collector's idle baseline began: from here a failure is the harness's unless the server died. */
  readonly baselineStarted: boolean;
  /** Load was offered (a --pps calibration, the warm-up): a failure from here is under load. */
  readonly loadStarted: boolean;
}

/**
 * An errored scenario's error, and whether it is a user entry's failure before load: its server did not start, died,
 * or answered the warm-up wrongly. Such a failure names the entry and says where to look, as a refused config does.
 */
export function subjectFailure(message: string, userServer: UserServer | undefined, at: FailedAt): { readonly error: string; readonly beforeLoad?: true } {
  const serversOwn = message.startsWith("server entry ");
  if (userServer === undefined || at.loadStarted || (at.baselineStarted && !serversOwn)) return { error: message };
  return { error: serversOwn ? message : `server entry ${userServer.name}: ${message}; check its request and expect`, beforeLoad: true };
}
