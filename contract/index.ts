/**
 * The protocol arms and the contract every server and client implements.
 *
 * Adding a protocol to `Protocol` makes every exhaustive `switch` fail to compile until it handles the new arm.
 */

export const PROTOCOLS = ["http1", "http1-close", "h2c", "h2", "grpc", "grpc-stream"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function isProtocol(value: string): value is Protocol {
  return (PROTOCOLS as readonly string[]).includes(value);
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}

/** Which server/client implementation folder serves an arm. */
export type ProtocolFamily = "http1" | "http2" | "grpc";

export function familyOf(protocol: Protocol): ProtocolFamily {
  switch (protocol) {
    case "http1":
    case "http1-close":
      return "http1";
    case "h2c":
    case "h2":
      return "http2";
    case "grpc":
    case "grpc-stream":
      return "grpc";
    default:
      return assertNever(protocol);
  }
}

/** Whether an arm runs over TLS (and so needs the per-run certificate). */
export function usesTls(protocol: Protocol): boolean {
  return protocol === "h2";
}

/** PEM material for the TLS arm, made per run (bench/tls.ts) and never committed. */
export interface TlsMaterial {
  readonly keyPem: string;
  readonly certPem: string;
}

/**
 * Server-side settings that change results. Every field is explicit and recorded in result.json.
 * Defaults live in `DEFAULT_SERVER_SETTINGS`.
 */
export interface ServerSettings {
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS for h2c/h2, and `grpc.max_concurrent_streams` for gRPC. */
  readonly maxConcurrentStreams: number;
  /** HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE in bytes (h2c/h2; gRPC uses grpc-js's own flow control). */
  readonly initialWindowSize: number;
  /** How long an idle HTTP/1.1 keep-alive connection is kept open by the server, ms. */
  readonly keepAliveTimeoutMs: number;
  /** gRPC server keepalive ping interval, ms (`grpc.keepalive_time_ms`). */
  readonly grpcKeepaliveTimeMs: number;
  /** How many response messages ServerStream sends per request. */
  readonly streamMessages: number;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  maxConcurrentStreams: 1000,
  initialWindowSize: 65_535,
  keepAliveTimeoutMs: 60_000,
  grpcKeepaliveTimeMs: 7_200_000,
  streamMessages: 4,
};

export interface ServerOptions {
  readonly protocol: Protocol;
  /** Address to listen on: loopback, or the server namespace's address. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly settings: ServerSettings;
  /** Required when `usesTls(protocol)`. */
  readonly tls?: TlsMaterial;
}

export interface RunningServer {
  readonly port: number;
  /** Stops accepting, ends open connections and resolves when the listener is closed. */
  close(): Promise<void>;
}

/**
 * The fixed set of ways a request can fail. Every protocol maps its errors onto these, so error tables compare
 * across protocols (bench/load/error-kind.ts maps Node errors by walking `cause`).
 */
export const ERROR_KINDS = [
  "refused", // the generator's in-flight cap refused to send it
  "connect", // could not open a connection (ECONNREFUSED, EHOSTUNREACH, TLS handshake …)
  "reset", // the connection or stream was reset or closed under the request
  "timeout", // no answer within the request timeout, or still outstanding when the drain ended
  "status", // a non-2xx HTTP status or a non-OK gRPC status
  "mismatch", // an answer with the wrong sequence number or body
  "protocol", // an answer that could not be parsed
  "other",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface RequestFailure {
  readonly kind: ErrorKind;
  readonly message: string;
}

/** Called exactly once per `send`: `null` on a verified answer. */
export type SendCallback = (failure: RequestFailure | null) => void;

export interface ClientOptions {
  readonly protocol: Protocol;
  readonly host: string;
  readonly port: number;
  /** TCP connections to open (for http1-close: the most open at once). */
  readonly connections: number;
  /** In-flight requests allowed per connection for h2/gRPC; more wait in the client's queue. */
  readonly streams: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Per-request timeout, ms. */
  readonly requestTimeoutMs: number;
  /** CA certificate (PEM) to trust for the TLS arm. */
  readonly caPem?: string;
}

export interface BenchClient {
  /** Opens connections and completes one request on each, so load starts on warm connections. */
  warmUp(): Promise<void>;
  /** Sends request `seq`; `done` is called once with the outcome. Never blocks on earlier requests. */
  send(seq: number, done: SendCallback): void;
  /** Requests sent but not yet answered. */
  readonly inFlight: number;
  /** Closes every connection; outstanding requests fail with kind "reset". */
  close(): Promise<void>;
}
