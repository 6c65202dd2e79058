/**
 * The protocol arms as one table: a row per arm, and everything that varies by arm is a column of it. Code reads a
 * column (`familyOf`, `usesTls`, `armOf(p).streams` …) instead of comparing names, so a new arm is a new row plus
 * its implementation: the columns' unions make every `switch` over a column value fail to compile until it handles
 * a new value, and test/contract/arms-served.test.ts checks every row against the servers and clients that must
 * serve it (test/contract/arms-table.test.ts pins the rows and what is derived from them).
 */

/** Which folder serves an arm: servers/<family>/server.ts and clients/library/<family>/. */
export type ProtocolFamily = "http1" | "http2" | "grpc" | "websocket";

/**
 * `keep-alive`: the client opens `connections` connections at warm-up and reuses them. `per-request`: every request
 * opens its own connection and the server closes it after the answer (`connection: close`, RFC 9112 §9.6), at most
 * `connections` open at once.
 */
export type ConnectionModel = "keep-alive" | "per-request";

/**
 * How requests share a connection. `one-at-a-time`: one request per connection until its answer (HTTP/1.1 without
 * pipelining). `multiplexed`: up to `streams` concurrent streams per connection, one per request (RFC 9113 §5).
 * `bidi-stream`: one long-lived bidirectional stream of messages per connection — a gRPC `Bidi` call, or the WebSocket
 * connection itself — each request one message on it, up to `streams` of them unanswered.
 */
export type StreamModel = "one-at-a-time" | "multiplexed" | "bidi-stream";

/**
 * The clients that can drive an arm: undici for HTTP/1.1, node:http2 core sessions for HTTP/2, and for gRPC
 * grpc-js or the lean node:http2 client (`--grpc-client`, contract/client.ts), undici's WebSocket (the one Node
 * ships as the global `WebSocket`, at the version package.json pins) — the library clients — and `wire`, the
 * wire-level clients of clients/wire/ that speak the protocol over raw sockets. An h2load driver is a further kind
 * when it exists.
 */
export const CLIENT_KINDS = ["undici", "node-http2", "grpc-js", "lean", "undici-websocket", "wire"] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/**
 * Which TCP counter counts an arm's connection opens (bench/collector/per-request.ts `connectionOpensFrom`): the
 * server namespace's `Tcp: PassiveOpens` (accepted connections) or the client namespace's `ActiveOpens`. Every arm
 * says `server-passive`, the collector's default, and nothing passes the column on yet: an arm that needs
 * `client-active` must also have bench/run/measure.ts hand it to the collector.
 */
export type ConnectionOpensFrom = "server-passive" | "client-active";

/**
 * Which server answers the arm: `node`, ours (servers/<family>/server.ts), which checks each request and echoes its
 * sequence number; or `nginx` (bench/run/nginx.ts), a fixed answer of `--response-bytes` to every request, so its
 * clients send sequence number 0 and check the answer's status, size and bytes instead (clients/index.ts).
 */
export type ServerKind = "node" | "nginx";

export interface ArmRow {
  /** The arm's name in `--protocols`, result.json and reports. */
  readonly name: string;
  readonly family: ProtocolFamily;
  /** Whether the arm runs over TLS, and so needs the per-run certificate (bench/run/tls.ts). */
  readonly tls: boolean;
  readonly connection: ConnectionModel;
  readonly streams: StreamModel;
  /** The clients that can drive it: its library clients, the default one first (`--grpc-client`), and `wire`. */
  readonly clients: readonly [ClientKind, ...ClientKind[]];
  readonly connectionOpensFrom: ConnectionOpensFrom;
  readonly server: ServerKind;
  /**
   * Whether a run without `--protocols` includes it. The default run is the six arms it always had and `ws`, beside
   * `grpc-stream` as the choice it is weighed against (1 min 50 s measured on the project's machine; it must stay
   * under two): the TLS twins of http1, http1-close, the gRPC arms and ws are asked for by name, and `h2` stays as
   * the TLS arm browsers speak, so the default report shows the cost of TLS once (h2 against h2c).
   */
  readonly defaultRun: boolean;
  /** One line for docs and reports: what is on the wire. */
  readonly description: string;
}

export const ARMS = [
  {
    name: "http1",
    family: "http1",
    tls: false,
    connection: "keep-alive",
    streams: "one-at-a-time",
    clients: ["undici", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: true,
    description: "HTTP/1.1, cleartext, keep-alive connections carrying one request at a time",
  },
  {
    name: "https1",
    family: "http1",
    tls: true,
    connection: "keep-alive",
    streams: "one-at-a-time",
    clients: ["undici", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: false,
    description: "HTTP/1.1 over TLS (ALPN http/1.1), keep-alive connections carrying one request at a time",
  },
  {
    name: "http1-close",
    family: "http1",
    tls: false,
    connection: "per-request",
    streams: "one-at-a-time",
    clients: ["undici", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: true,
    description: "HTTP/1.1, cleartext, `connection: close`: a new TCP connection per request",
  },
  {
    name: "https1-close",
    family: "http1",
    tls: true,
    connection: "per-request",
    streams: "one-at-a-time",
    clients: ["undici", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: false,
    description: "HTTP/1.1 over TLS, `connection: close`: a new connection and TLS handshake (resumed) per request",
  },
  {
    name: "h2c",
    family: "http2",
    tls: false,
    connection: "keep-alive",
    streams: "multiplexed",
    clients: ["node-http2", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: true,
    description: "HTTP/2 cleartext with prior knowledge, one stream per request",
  },
  {
    name: "h2",
    family: "http2",
    tls: true,
    connection: "keep-alive",
    streams: "multiplexed",
    clients: ["node-http2", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: true,
    description: "HTTP/2 over TLS (ALPN h2), one stream per request",
  },
  {
    name: "grpc",
    family: "grpc",
    tls: false,
    connection: "keep-alive",
    streams: "multiplexed",
    clients: ["grpc-js", "lean", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: true,
    description: "gRPC unary calls over cleartext HTTP/2, one stream per request",
  },
  {
    name: "grpc-tls",
    family: "grpc",
    tls: true,
    connection: "keep-alive",
    streams: "multiplexed",
    clients: ["grpc-js", "lean", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: false,
    description: "gRPC unary calls over HTTP/2 over TLS (ALPN h2), one stream per request",
  },
  {
    name: "grpc-stream",
    family: "grpc",
    tls: false,
    connection: "keep-alive",
    streams: "bidi-stream",
    clients: ["grpc-js", "lean", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: true,
    description: "gRPC over cleartext HTTP/2, one long-lived bidi stream per connection, one message per request",
  },
  {
    name: "grpc-stream-tls",
    family: "grpc",
    tls: true,
    connection: "keep-alive",
    streams: "bidi-stream",
    clients: ["grpc-js", "lean", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: false,
    description: "gRPC over HTTP/2 over TLS, one long-lived bidi stream per connection, one message per request",
  },
  {
    name: "ws",
    family: "websocket",
    tls: false,
    connection: "keep-alive",
    streams: "bidi-stream",
    clients: ["undici-websocket", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: true,
    description: "WebSocket (RFC 6455) over cleartext HTTP/1.1, one long-lived connection, one binary message per request",
  },
  {
    name: "wss",
    family: "websocket",
    tls: true,
    connection: "keep-alive",
    streams: "bidi-stream",
    clients: ["undici-websocket", "wire"],
    connectionOpensFrom: "server-passive",
    server: "node",
    defaultRun: false,
    description: "WebSocket over TLS (ALPN http/1.1), one long-lived connection, one binary message per request",
  },
  {
    name: "nginx-http1",
    family: "http1",
    tls: false,
    connection: "keep-alive",
    streams: "one-at-a-time",
    clients: ["undici", "wire"],
    connectionOpensFrom: "server-passive",
    server: "nginx",
    defaultRun: false,
    description: "nginx answering HTTP/1.1 keep-alive with a fixed body: the server stack beside the protocol",
  },
  {
    name: "nginx-http1-close",
    family: "http1",
    tls: false,
    connection: "per-request",
    streams: "one-at-a-time",
    clients: ["undici", "wire"],
    connectionOpensFrom: "server-passive",
    server: "nginx",
    defaultRun: false,
    description: "nginx answering HTTP/1.1 with `connection: close`, a new TCP connection per request",
  },
  {
    name: "nginx-h2c",
    family: "http2",
    tls: false,
    connection: "keep-alive",
    streams: "multiplexed",
    clients: ["node-http2", "wire"],
    connectionOpensFrom: "server-passive",
    server: "nginx",
    defaultRun: false,
    description: "nginx answering HTTP/2 cleartext (prior knowledge) with a fixed body, one stream per request",
  },
  {
    name: "nginx-h2",
    family: "http2",
    tls: true,
    connection: "keep-alive",
    streams: "multiplexed",
    clients: ["node-http2", "wire"],
    connectionOpensFrom: "server-passive",
    server: "nginx",
    defaultRun: false,
    description: "nginx answering HTTP/2 over TLS (ALPN h2) with a fixed body, one stream per request",
  },
] as const satisfies readonly ArmRow[];

export type Protocol = (typeof ARMS)[number]["name"];

/** One arm's row, typed by the columns' unions (so a `switch` over a column is exhaustive over all its values). */
export interface Arm extends ArmRow {
  readonly name: Protocol;
}

/** Every arm, in the table's order (the order `--protocols` lists them in, and reports). */
export const PROTOCOLS: readonly Protocol[] = ARMS.map((arm) => arm.name);

/** The arms our own servers answer (servers/), in table order: the others are another server's (`server`). */
export const OUR_ARMS: readonly Arm[] = ARMS.filter((arm) => arm.server === "node");

/** The arms of a run without `--protocols` (the `defaultRun` column), in table order. */
export const DEFAULT_PROTOCOLS: readonly Protocol[] = ARMS.filter((arm) => arm.defaultRun).map((arm) => arm.name);

const BY_NAME: ReadonlyMap<string, Arm> = new Map(ARMS.map((arm) => [arm.name, arm]));

export function isProtocol(value: string): value is Protocol {
  return BY_NAME.has(value);
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}

/** The row of `protocol`. */
export function armOf(protocol: Protocol): Arm {
  const arm = BY_NAME.get(protocol);
  // Unreachable for a `Protocol`; reached only by a value that skipped `isProtocol`.
  if (arm === undefined) throw new TypeError(`unknown protocol ${JSON.stringify(protocol)}`);
  return arm;
}

export function familyOf(protocol: Protocol): ProtocolFamily {
  return armOf(protocol).family;
}

/** Whether an arm runs over TLS (and so needs the per-run certificate). */
export function usesTls(protocol: Protocol): boolean {
  return armOf(protocol).tls;
}

/**
 * An arm's twin on the other transport: the row of the same family, connection, stream model and server with the other
 * `tls`.
 * Derived rather than a column, so a new row with its TLS row (ws and wss) is paired without naming either;
 * test/contract/arms-table.test.ts checks that no two rows share those columns, so a twin is one row.
 */
function twinOf(protocol: Protocol, tls: boolean): Protocol | null {
  const arm = armOf(protocol);
  if (arm.tls === tls) return null;
  const twin = ARMS.find(
    (row) => row.tls === tls && row.family === arm.family && row.connection === arm.connection && row.streams === arm.streams && row.server === arm.server,
  );
  return twin?.name ?? null;
}

/** The cleartext arm a TLS arm adds TLS to (h2 → h2c); null for a cleartext arm or a TLS arm without one. */
export function cleartextTwinOf(protocol: Protocol): Protocol | null {
  return twinOf(protocol, false);
}

/** The TLS arm of a cleartext arm (http1 → https1); null for a TLS arm or a cleartext arm without one. */
export function tlsTwinOf(protocol: Protocol): Protocol | null {
  return twinOf(protocol, true);
}

/** The arms whose `streams` option matters: several requests in flight on one connection. */
export const ARMS_WITH_STREAMS: readonly Protocol[] = ARMS.filter((arm) => arm.streams !== "one-at-a-time").map((arm) => arm.name);

/**
 * The row of `protocol` for an implementation of `family`, which names itself as `by` ("servers/http1"); throws
 * when the table gives the arm to another family.
 */
export function armServedBy(protocol: Protocol, family: ProtocolFamily, by: string): Arm {
  const arm = armOf(protocol);
  if (arm.family !== family) throw new TypeError(`${by} does not handle ${protocol}: contract/arms.ts gives it to ${arm.family}`);
  return arm;
}
