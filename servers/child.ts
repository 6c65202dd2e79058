/**
 * Runs a server as its own child process, the way the harness starts it:
 *
 *   process.execPath servers/<family>/server.ts --options '<ServerOptions as JSON>'
 *
 * prints exactly one line `{"port":N,"pid":P}` on stdout once listening (connect-es conformance servers do the
 * same), closes and exits 0 on SIGTERM or SIGINT. Bad options: one line on stderr, exit 2. A server that fails to
 * start or to close: one line on stderr, exit 1. This is a process entry, so it is allowed to call `process.exit`.
 */

import { z } from "zod";
import { familyOf, PROTOCOLS, usesTls } from "../contract/index.ts";
import type { ProtocolFamily, RunningServer, ServerOptions } from "../contract/index.ts";
import { MAX_BODY_BYTES } from "../proto/codec.ts";

/** How long a SIGTERM'd server may take to close before the child gives up and exits 1. */
const CLOSE_LIMIT_MS = 10_000;

const positiveInt = z.number().int().positive();

export const EXIT_WITH_STDIN = "--exit-with-stdin";

const serverOptionsSchema = z.strictObject({
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
  }),
  // Not strict: callers may pass bench/run/tls.ts's whole TlsFiles, whose `dir` serialises along with the PEMs.
  tls: z.object({ keyPem: z.string().min(1), certPem: z.string().min(1) }).optional(),
});

export class ChildUsageError extends Error {
  override readonly name = "ChildUsageError";
}

/** Parses `--options <json>` (or `--options=<json>`) for a server of `family`. Throws `ChildUsageError`. */
export function parseServerArgs(argv: readonly string[], family: ProtocolFamily): ServerOptions {
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--options") json = argv[++i];
    else if (arg.startsWith("--options=")) json = arg.slice("--options=".length);
    else throw new ChildUsageError(`unknown argument ${JSON.stringify(arg)}; usage: --options '<ServerOptions JSON>'`);
  }
  if (json === undefined) throw new ChildUsageError("missing --options '<ServerOptions JSON>'");
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ChildUsageError(`--options is not JSON: ${(err as Error).message}`);
  }
  const parsed = serverOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ChildUsageError(`invalid --options: ${issues.join("; ")}`);
  }
  const opts: ServerOptions = parsed.data;
  if (familyOf(opts.protocol) !== family) {
    throw new ChildUsageError(`--options protocol ${opts.protocol} is not served by servers/${family}`);
  }
  if (usesTls(opts.protocol) && opts.tls === undefined) {
    throw new ChildUsageError(`--options protocol ${opts.protocol} needs tls { keyPem, certPem }`);
  }
  return opts;
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
    opts = parseServerArgs(
      args.filter((a) => a !== EXIT_WITH_STDIN),
      family,
    );
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
