/** What every server in servers/ is started with and returns. */

import type { Protocol } from "./arms.ts";
import type { TlsParameters } from "./tls.ts";

/** The name the per-run certificate is made for (bench/run/tls.ts) and every TLS client checks it against. */
export const TLS_SERVER_NAME = "localhost";

/** PEM material for the TLS arms, made per run (bench/run/tls.ts) and never committed. */
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
  /**
   * Whether the ws and wss arms' server accepts permessage-deflate (RFC 7692) when a client offers it. Off by
   * default: no other arm compresses its bodies. undici's WebSocket offers it and then inflates the answers, but
   * sends its own messages uncompressed; the wire client never offers it.
   */
  readonly wsDeflate: boolean;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  maxConcurrentStreams: 1000,
  initialWindowSize: 65_535,
  keepAliveTimeoutMs: 60_000,
  grpcKeepaliveTimeMs: 7_200_000,
  streamMessages: 4,
  wsDeflate: false,
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
  /** The TLS arms' version and ciphers (`--tls-version`, `--tls-ciphers`); absent: DEFAULT_TLS_PARAMETERS. */
  readonly tlsParameters?: TlsParameters;
}

export interface RunningServer {
  readonly port: number;
  /** Stops accepting, ends open connections and resolves when the listener is closed. */
  close(): Promise<void>;
}
