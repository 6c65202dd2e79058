/**
 * Runs a server as its own child process, the way the harness starts it:
 *
 *   process.execPath servers/<family>/server.ts --options '<ServerOptions as JSON, without tls>' [--tls-fd 3]
 *
 * prints exactly one line `{"port":N,"pid":P}` on stdout once listening (connect-es conformance servers do the
 * same), closes and exits 0 on SIGTERM or SIGINT. Bad options: one line on stderr, exit 2. A server that fails to
 * start or to close: one line on stderr, exit 1. This is a process entry, so it is allowed to call `process.exit`.
 *
 * The TLS arms' key and certificate never travel in the command line, which every local user can read in
 * /proc/PID/cmdline: the parent writes them as JSON `{"keyPem","certPem"}` to an inherited descriptor and closes it,
 * and `--tls-fd` says which.
 */

import { closeSync, fstatSync, readFileSync } from "node:fs";
import { z } from "zod";
import { familyOf, PROTOCOLS, TLS_VERSIONS, usesTls } from "../contract/index.ts";
import type { ProtocolFamily, RunningServer, ServerOptions, TlsMaterial } from "../contract/index.ts";
import { MAX_BODY_BYTES } from "../proto/codec.ts";

/** How long a SIGTERM'd server may take to close before the child gives up and exits 1. */
const CLOSE_LIMIT_MS = 10_000;

const positiveInt = z.number().int().positive();

export const EXIT_WITH_STDIN = "--exit-with-stdin";
/** `--tls-fd <n>`: read the TLS material from descriptor n until it closes. */
export const TLS_FD = "--tls-fd";
/** Below 3 are stdin, stdout and stderr, which the child uses for other things. */
const FIRST_EXTRA_FD = 3;

/** What a server accepts, field by field and range by range; the agent checks a driver's request by it too. */
export const serverOptionsSchema = z.strictObject({
  protocol: z.enum(PROTOCOLS),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  requestBytes: z.number().int().min(0).max(MAX_BODY_BYTES),
  responseBytes: z.number().int().min(0).max(MAX_BODY_BYTES),
  settings: z.strictObject({
    maxConcurrentStreams: positiveInt,
    initialWindowSize: z.number().int().min(0).max(2 ** 31 - 1), // RFC 9113 §6.5.2
    keepAliveTimeoutMs: positiveInt,
    grpcKeepaliveTimeMs: positiveInt,
    streamMessages: positiveInt,
    wsDeflate: z.boolean(),
  }),
  tlsParameters: z.strictObject({ version: z.enum(TLS_VERSIONS), ciphers: z.string().min(1).nullable(), groups: z.string().min(1).nullable().optional() }).optional(),
});

const tlsMaterialSchema = z.strictObject({ keyPem: z.string().min(1), certPem: z.string().min(1) });

export class ChildUsageError extends Error {
  override readonly name = "ChildUsageError";
}

/** What the command line says: the options, and where the TLS material waits. */
export interface ServerArgs {
  /** Without `tls`, which the command line never carries. */
  readonly options: ServerOptions;
  /** The descriptor `--tls-fd` names, or null without it. */
  readonly tlsFd: number | null;
}

function parseFd(text: string | undefined): number {
  const fd = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || fd < FIRST_EXTRA_FD) {
    throw new ChildUsageError(`${TLS_FD} needs a descriptor number of at least ${FIRST_EXTRA_FD}, not ${JSON.stringify(text)}`);
  }
  return fd;
}

/**
 * Parses `--options <json>` (or `--options=<json>`) and `--tls-fd <n>` for a server of `family`. Throws
 * `ChildUsageError`, also when the options carry `tls`: a key there would be in /proc/PID/cmdline.
 */
export function parseServerArgs(argv: readonly string[], family: ProtocolFamily): ServerArgs {
  let json: string | undefined;
  let tlsFd: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--options") json = argv[++i];
    else if (arg.startsWith("--options=")) json = arg.slice("--options=".length);
    else if (arg === TLS_FD) tlsFd = parseFd(argv[++i]);
    else if (arg.startsWith(`${TLS_FD}=`)) tlsFd = parseFd(arg.slice(`${TLS_FD}=`.length));
    else throw new ChildUsageError(`unknown argument ${JSON.stringify(arg)}; usage: --options '<ServerOptions JSON>' [${TLS_FD} <n>]`);
  }
  if (json === undefined) throw new ChildUsageError("missing --options '<ServerOptions JSON>'");
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ChildUsageError(`--options is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw === "object" && raw !== null && "tls" in raw) {
    throw new ChildUsageError(`--options must not carry tls, since every local user can read a command line: pass it on ${TLS_FD}`);
  }
  const parsed = serverOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ChildUsageError(`invalid --options: ${issues.join("; ")}`);
  }
  const options: ServerOptions = parsed.data;
  if (familyOf(options.protocol) !== family) {
    throw new ChildUsageError(`--options protocol ${options.protocol} is not served by servers/${family}`);
  }
  if (usesTls(options.protocol) && tlsFd === null) {
    throw new ChildUsageError(`--options protocol ${options.protocol} needs ${TLS_FD} <n>, a descriptor carrying {"keyPem","certPem"}`);
  }
  return { options, tlsFd };
}

/**
 * Parses what the parent wrote to the `--tls-fd` descriptor. Throws `ChildUsageError`, whose message quotes none of
 * `text` (JSON.parse's own message would quote part of the key).
 */
export function parseTlsMaterial(text: string): TlsMaterial {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ChildUsageError(`the TLS material on ${TLS_FD} is not JSON (${text.length} characters)`);
  }
  const parsed = tlsMaterialSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ChildUsageError(`invalid TLS material on ${TLS_FD}: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/**
 * Reads `fd` until the parent closes its end, then closes ours: the server keeps no descriptor it does not use. A
 * wrapper that closed the descriptor would leave its number to one of Node's own (an epoll or event fd), hence the
 * check that it is a pipe, socket or file before reading or closing it.
 */
function readTlsMaterial(fd: number): TlsMaterial {
  let text: string;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFIFO() && !stat.isSocket() && !stat.isFile()) throw new Error("not a pipe, socket or file");
    text = readFileSync(fd, "utf8");
    closeSync(fd);
  } catch (err) {
    throw new ChildUsageError(`cannot read the TLS material from ${TLS_FD} ${fd}: ${(err as Error).message}`);
  }
  return parseTlsMaterial(text);
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ");
}

export function runServerChild(family: ProtocolFamily, start: (opts: ServerOptions) => Promise<RunningServer>): void {
  let opts: ServerOptions;
  // --exit-with-stdin: the harness holds our stdin open; when it dies (even by SIGKILL) the pipe closes and we
  // stop, so no server outlives the run that started it.
  const args = process.argv.slice(2);
  const exitWithStdin = args.includes(EXIT_WITH_STDIN);
  try {
    const { options, tlsFd } = parseServerArgs(
      args.filter((a) => a !== EXIT_WITH_STDIN),
      family,
    );
    opts = tlsFd === null ? options : { ...options, tls: readTlsMaterial(tlsFd) };
  } catch (err) {
    process.stderr.write(`${oneLine(err)}\n`);
    process.exit(err instanceof ChildUsageError ? 2 : 1);
  }

  let server: RunningServer | undefined;
  let stopping = false;
  function stop(): void {
    stopping = true;
    if (server === undefined) return; // still starting: stop once listening
    const running = server;
    server = undefined;
    setTimeout(() => {
      process.stderr.write(`server did not close within ${CLOSE_LIMIT_MS} ms\n`);
      process.exit(1);
    }, CLOSE_LIMIT_MS).unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`closing the server failed: ${oneLine(err)}\n`);
        process.exit(1);
      },
    );
  }
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  if (exitWithStdin) {
    process.stdin.on("end", stop);
    process.stdin.resume();
  }

  start(opts).then(
    (running) => {
      server = running;
      process.stdout.write(`${JSON.stringify({ port: running.port, pid: process.pid })}\n`);
      if (stopping) stop();
    },
    (err: unknown) => {
      process.stderr.write(`server failed to start: ${oneLine(err)}\n`);
      process.exit(1);
    },
  );
}
