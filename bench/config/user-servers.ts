/**
 * `servers` in the config file (issue 12): a user's own servers as subjects beside the arms. Each entry names a
 * command (with `{host}`, `{port}` and `{dir}` filled in by bench/run/user-server.ts), the protocol it speaks, the
 * request to send and the answer to expect; it becomes an arm-like subject named by its `name` in `--protocols`.
 * Everything an entry names is read and checked here, before anything is created: a mistake is one line naming the
 * entry, the key and the fix (exit 2). Without `--protocols`, a config with servers runs its servers alone.
 */
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { isProtocol } from "../../contract/index.ts";
import type { Exchange } from "../../contract/index.ts";
import { UsageError } from "../support/errors.ts";
import { fillPlaceholders } from "../support/placeholders.ts";
import { hasCommand } from "../support/tools.ts";
import { grpcRequestFromProto } from "./grpc-request.ts";

/**
 * The arms a user server may speak. `grpc` sends each request as a unary call; `grpc-stream` as one message on a
 * long-lived bidi call per connection, its answers paired by order (one answer per message, as an echo or chat does).
 */
export const USER_SERVER_PROTOCOLS = ["http1", "http1-close", "h2c", "h2", "grpc", "grpc-stream"] as const;
export type UserServerProtocol = (typeof USER_SERVER_PROTOCOLS)[number];

/** A user server as the run is told it: every file it names read, its request encoded. */
export interface UserServer {
  readonly name: string;
  readonly protocol: UserServerProtocol;
  readonly command: readonly string[];
  /** The port it listens on; 0: the harness picks a free one and passes it as `{port}`. */
  readonly port: number;
  readonly exchange: Exchange;
  /** A gRPC entry's `.proto` (absolute) and method, recorded; null for HTTP. */
  readonly grpc: { readonly proto: string; readonly method: string } | null;
  readonly readyTimeoutMs: number;
  /** A command printing the server's version (`["nginx", "-v"]`), run once per scenario and recorded; null: none. */
  readonly versionCommand: readonly string[] | null;
  /** A file copied into `{dir}` under its own name and recorded in the result (the server's config); null: none. */
  readonly configFile: string | null;
}

/** Largest body or config file an entry may name: a request, not a data set. */
const MAX_FILE_BYTES = 1024 * 1024;
const NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** The methods a user request may have: each answered with a body the client reads by its framing. */
const METHODS: readonly string[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
/** RFC 9110 §5.1 field names, written lower-case as HTTP/2 requires (RFC 9113 §8.2.1). */
const FIELD_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** Framing and connection fields are the client's (RFC 9113 §8.2.2 forbids the connection-specific ones in HTTP/2). */
const RESERVED_FIELDS = new Set(["host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade", "te", "proxy-connection"]);

const entrySchema = z.strictObject({
  name: z.string(),
  protocol: z.enum(USER_SERVER_PROTOCOLS),
  command: z.array(z.string()).min(1),
  port: z.number().int().min(0).max(65535).optional(),
  request: z
    .strictObject({
      method: z.string().optional(),
      path: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      bodyFile: z.string().optional(),
    })
    .optional(),
  grpc: z.strictObject({ proto: z.string(), method: z.string(), message: z.record(z.string(), z.unknown()).optional() }).optional(),
  expect: z.strictObject({ status: z.number().int().min(100).max(599).optional(), bodyBytes: z.number().int().min(0).optional() }).optional(),
  readyTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  versionCommand: z.array(z.string()).min(1).optional(),
  configFile: z.string().optional(),
});
type Entry = z.infer<typeof entrySchema>;

/** The `servers` key's shape in the config file's own schema; entries are checked here, with the entry named. */
export const serversKeySchema = z.array(z.unknown()).optional();

/** Reads `servers` of the config file at `configPath`, then `--server-command`'s server (`flag`); [] without either. */
export function readUserServers(raw: unknown, configPath: string, flag: string | null = null): UserServer[] {
  const entries = (raw ?? []) as readonly unknown[];
  const servers = entries.map((entry, i) => userServer(entry, `${configPath}: servers[${i}]`, configPath));
  if (flag !== null) servers.push(userServer(serverCommandEntry(flag), "--server-command", join(process.cwd(), "--server-command")));
  const names = new Set<string>();
  for (const s of servers) {
    if (names.has(s.name) && flag !== null && s.name === SERVER_COMMAND_NAME) {
      throw new UsageError("WC_BAD_CONFIG", `--server-command: it runs as "${SERVER_COMMAND_NAME}", and ${configPath} has a servers entry of that name; rename the entry`);
    }
    if (names.has(s.name)) throw new UsageError("WC_BAD_CONFIG", `${configPath}: servers: two entries are named "${s.name}"; give each its own name`);
    names.add(s.name);
  }
  return servers;
}

/** The name `--server-command`'s server runs as, in `--protocols`, the report and result.json. */
export const SERVER_COMMAND_NAME = "server";

/** `--server-command "http1 python3 -m http.server {port}"`: the first word the protocol, the rest the command. */
function serverCommandEntry(text: string): unknown {
  const [protocol, ...command] = text.trim().split(/\s+/);
  return { name: SERVER_COMMAND_NAME, protocol, command };
}

/** `label` names the entry in errors; relative paths are taken from `configPath`'s directory. */
function userServer(raw: unknown, label: string, configPath: string): UserServer {
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `.${issue.path.join(".")}` : "";
    throw new UsageError("WC_BAD_CONFIG", `${label}${where}: ${issue?.message ?? "invalid"}; see the README's "Your own server"`);
  }
  const e = parsed.data;
  const bad = (key: string, why: string): UsageError => new UsageError("WC_BAD_CONFIG", `${label} ("${e.name}").${key}: ${why}`);
  if (!NAME.test(e.name)) throw bad("name", `"${e.name}" must be 1–32 of a-z, 0-9 and -, starting with a letter`);
  if (isProtocol(e.name)) throw bad("name", `"${e.name}" is an arm's name; choose another`);
  const grpc = e.protocol === "grpc" || e.protocol === "grpc-stream";
  if (grpc !== (e.grpc !== undefined)) throw bad("grpc", grpc ? "a grpc entry needs grpc.proto and grpc.method" : `only a grpc entry takes it, not ${e.protocol}`);
  if (grpc && (e.request?.method !== undefined || e.request?.path !== undefined || e.request?.bodyFile !== undefined)) {
    throw bad("request", "a grpc entry's request is grpc.message; request may hold headers (metadata) only");
  }
  const fromConfig = (path: string): string => (isAbsolute(path) ? path : resolve(dirname(configPath), path));
  // A program named by a path is found from the config file's directory, as every other path of an entry is.
  const command = withProgramFrom(e.command, fromConfig);
  const versionCommand = e.versionCommand === undefined ? null : withProgramFrom(e.versionCommand, fromConfig);
  checkCommand(command, "command", bad);
  if (versionCommand !== null) {
    if (versionCommand.some((arg) => /\{[a-z]+\}/.test(arg))) throw bad("versionCommand", "it runs before the server, outside {dir}: give it without placeholders");
    checkCommand(versionCommand, "versionCommand", bad);
  }
  const headers = checkedHeaders(e, bad);
  // The gRPC client sends content-type: application/grpc itself (clients/wire/grpc/client.ts).
  if (grpc && headers.some(([name]) => name === "content-type")) throw bad("request.headers", '"content-type" is set by the gRPC client; remove it');
  return {
    name: e.name,
    protocol: e.protocol,
    command,
    port: e.port ?? 0,
    exchange: grpc ? grpcExchange(e, fromConfig, headers, bad) : httpExchange(e, fromConfig, headers, bad),
    grpc: e.grpc === undefined ? null : { proto: fromConfig(e.grpc.proto), method: e.grpc.method },
    readyTimeoutMs: e.readyTimeoutMs ?? 10_000,
    versionCommand,
    configFile: e.configFile === undefined ? null : checkedConfigFile(fromConfig(e.configFile), e.protocol, bad),
  };
}

/** `{dir}` holds the run's certificate and key for h2 (bench/run/user-server.ts): a config file may not take their names. */
function checkedConfigFile(path: string, protocol: UserServerProtocol, bad: Bad): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (protocol === "h2" && (name === "cert.pem" || name === "key.pem")) throw bad("configFile", `${name} is the name of the run's own certificate or key in {dir}; rename the file`);
  return readable(path, "configFile", bad).path;
}

/** The command with its program (a path, not a name on PATH) taken from the config file's directory. */
function withProgramFrom(command: readonly string[], fromConfig: (path: string) => string): string[] {
  const [file = "", ...args] = command;
  return [file.includes("/") && !file.includes("{") ? fromConfig(file) : file, ...args];
}

type Bad = (key: string, why: string) => UsageError;

/** The command runs as the harness would run it: its placeholders known, its program found (by path or on PATH). */
function checkCommand(command: readonly string[], key: string, bad: Bad): void {
  try {
    fillPlaceholders(command, { host: "198.18.0.1", port: 1, dir: "/" });
  } catch (error) {
    throw bad(key, (error as Error).message);
  }
  const [file = ""] = command;
  const found = file.includes("/") ? isExecutable(file) : hasCommand(file);
  if (!found) throw bad(key, `${file} is not found or not executable; give its full path, or install it`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function checkedHeaders(e: Entry, bad: Bad): [string, string][] {
  return Object.entries(e.request?.headers ?? {}).map(([name, value]) => {
    const lower = name.toLowerCase();
    if (!FIELD_NAME.test(lower)) throw bad(`request.headers`, `"${name}" is not a field name`);
    if (RESERVED_FIELDS.has(lower)) throw bad(`request.headers`, `"${name}" is set by the client; remove it`);
    if (/[\r\n\0]/.test(value)) throw bad(`request.headers.${name}`, "a value may not hold CR, LF or NUL");
    return [lower, value];
  });
}

function readable(path: string, key: string, bad: Bad): { path: string; bytes: Buffer } {
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) throw bad(key, `${path} has ${size} bytes, more than ${MAX_FILE_BYTES}`);
    return { path, bytes: readFileSync(path) };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw bad(key, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}); give a readable file, relative to the config file`);
  }
}

function httpExchange(e: Entry, fromConfig: (p: string) => string, headers: [string, string][], bad: Bad): Exchange {
  const body = e.request?.bodyFile === undefined ? Buffer.alloc(0) : readable(fromConfig(e.request.bodyFile), "request.bodyFile", bad).bytes;
  const method = e.request?.method ?? (body.length > 0 ? "POST" : "GET");
  // Not HEAD, whose answers have no body whatever their framing says, nor CONNECT, which is a tunnel, not an answer.
  if (!METHODS.includes(method)) throw bad("request.method", `"${method}": use ${METHODS.join(", ")}`);
  const path = e.request?.path ?? "/";
  if (!/^\/[\x21-\x7e]*$/.test(path)) throw bad("request.path", `"${path}" must start with / and hold no spaces or control characters`);
  return { method, path, headers, bodyBase64: body.toString("base64"), expect: { status: e.expect?.status ?? 200, bodyBytes: e.expect?.bodyBytes ?? null } };
}

function grpcExchange(e: Entry, fromConfig: (p: string) => string, headers: [string, string][], bad: Bad): Exchange {
  const g = e.grpc;
  if (g === undefined) throw bad("grpc", "missing");
  if (e.expect?.status !== undefined && e.expect.status !== 200) throw bad("expect.status", "a gRPC answer is HTTP 200 with grpc-status 0; drop it");
  const proto = readable(fromConfig(g.proto), "grpc.proto", bad).path;
  let request;
  try {
    request = grpcRequestFromProto(proto, g.method, g.message ?? {}, e.protocol === "grpc-stream" ? "bidi" : "unary");
  } catch (error) {
    throw bad("grpc", (error as Error).message);
  }
  return { method: "POST", path: request.path, headers, bodyBase64: request.message.toString("base64"), expect: { status: 200, bodyBytes: e.expect?.bodyBytes ?? null } };
}
