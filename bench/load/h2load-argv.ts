/**
 * The h2load command line of one scenario (`--driver h2load`), read from the arms table's columns, and the request
 * body it sends. Pure. What h2load does with each flag is pinned to nghttp2 1.52's `src/h2load.cc`, the version
 * Debian 12's nghttp2-client ships:
 *
 * - `--rps` is per client, and h2load opens one connection per client (`-c`): the offered rate R is spread as R/c
 *   each. h2load reads it with strtod, so it need not be whole; `String(R / c)` is the shortest decimal that reads
 *   back as the same double, so c × it is R to within a rounding of the last bit. When c does not divide R, each
 *   connection's rate is fractional and `rps_cb` carries the remainder from tick to tick (`rps_duration_started`
 *   advances by n / rps, not to now), so no request is lost to rounding over the window.
 * - `rps_cb` ticks every max(10 ms, 1/rps): above 100 req/s per connection the requests due in a tick leave together,
 *   rps/100 at a time, where our generator sends each at its own time.
 * - `-D` with `--warm-up-time` is its timing mode: h2load prints a line when the warm-up ends and the main duration
 *   starts, and when the main duration ends, and logs (`--log-file`) only the requests that ended in between. Its
 *   main duration is the window plus H2LOAD_DRAIN_MS (see there).
 * - `-m`: concurrent streams per connection. With a request body (`-d`) HTTP/1.1 never pipelines
 *   (`Http1Session::max_concurrent_streams` is 1), so the one-at-a-time arms pass 1.
 * - `-t 1`: one thread, on the one CPU the topology pins the client to.
 */
import { isIP } from "node:net";
import { frameMessage } from "../../clients/common/grpc-frames.ts";
import { armOf, assertNever } from "../../contract/index.ts";
import type { Protocol } from "../../contract/index.ts";
import { encodePayload, makeBody, PROTOBUF_CONTENT_TYPE, UNARY_PATH } from "../../proto/codec.ts";

export const H2LOAD_PROGRAM = "h2load";

/** Where `npm run setup` and the one-line error look for it. */
export const H2LOAD_PACKAGE = "nghttp2-client";

/** The sequence number of the one request h2load sends again and again: our servers echo it, so any will do. */
export const H2LOAD_REQUEST_SEQ = 1;

/**
 * How long h2load's main duration runs past the window. The window is the first `durationMs` of it: the harness
 * closes the window itself, while h2load still sends, so (1) the requests that started in the window are answered
 * and logged before h2load stops — it stops without waiting for the ones in flight, and never logs them — and (2)
 * its worker thread is still alive when the collector reads the window's end: h2load sends from a thread
 * (`std::async` even with `-t 1`) that exits as the main duration ends, and a thread that has exited is gone from
 * /proc/<pid>/task/<tid>/schedstat, where the collector reads the client's run time.
 */
export const H2LOAD_DRAIN_MS = 1000;

export interface H2loadLoad {
  readonly protocol: Protocol;
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  /** In-flight requests per connection for the multiplexed arms (`--streams`). */
  readonly streams: number;
  /** The whole run's offered rate, spread over the connections. */
  readonly offeredRps: number;
  readonly warmupMs: number;
  /** The window; h2load's main duration is H2LOAD_DRAIN_MS longer. */
  readonly durationMs: number;
  /** The file holding `h2loadRequestBody`. */
  readonly bodyPath: string;
  /** Where h2load writes one line per request. */
  readonly logPath: string;
}

/**
 * Why h2load cannot drive `protocol` as the arm means it, in one line; null when it can.
 * http1-close was tried (nghttp2 1.52, 2 clients at --rps 100 each, `connection: close` on both sides): 2820 req/s
 * instead of 200, because `Client::connection_made` restarts the rate schedule and sends one request at once on
 * every new connection, so a connection per request runs closed loop. Its connection-rate mode (`-r`, one client per
 * request) keeps a rate but cannot be combined with `-D` and `--warm-up-time`, so it has no measured window.
 */
export function h2loadRefusal(protocol: Protocol): string | null {
  const arm = armOf(protocol);
  if (arm.family === "websocket") return `h2load cannot drive ${protocol}: it speaks HTTP/1.1 and HTTP/2, not WebSocket`;
  switch (arm.streams) {
    case "bidi-stream":
      return `h2load cannot drive ${protocol}: it sends one request per stream and cannot put many messages on one long-lived bidi call`;
    case "one-at-a-time":
    case "multiplexed":
      break;
    default:
      return assertNever(arm.streams);
  }
  switch (arm.connection) {
    case "per-request":
      return `h2load cannot drive ${protocol}: with a connection per request its --rps schedule restarts on every new connection and runs closed loop, and its connection-rate mode (-r) has no warm-up nor measured window`;
    case "keep-alive":
      return null;
    default:
      return assertNever(arm.connection);
  }
}

/**
 * The bytes h2load posts with every request: the same protobuf payload our clients send (proto/codec.ts), for
 * sequence number 1; for gRPC behind its length prefix (grpc/doc/PROTOCOL-HTTP2.md "Length-Prefixed-Message").
 */
export function h2loadRequestBody(protocol: Protocol, requestBytes: number): Buffer {
  const payload = encodePayload(H2LOAD_REQUEST_SEQ, makeBody(requestBytes));
  const family = armOf(protocol).family;
  switch (family) {
    case "http1":
    case "http2":
      return payload;
    case "grpc":
      return frameMessage(payload);
    case "websocket":
      throw new TypeError(h2loadRefusal(protocol) ?? `h2load cannot drive ${protocol}`);
    default:
      return assertNever(family);
  }
}

/** Request headers beyond the ones h2load writes itself, as our clients send them. */
function headerArgs(protocol: Protocol): string[] {
  const family = armOf(protocol).family;
  switch (family) {
    case "http1":
    case "http2":
      return ["-H", `content-type: ${PROTOBUF_CONTENT_TYPE}`];
    case "grpc":
      // `te: trailers` is required by the gRPC HTTP/2 mapping (PROTOCOL-HTTP2.md).
      return ["-H", "content-type: application/grpc", "-H", "te: trailers"];
    case "websocket":
      throw new TypeError(h2loadRefusal(protocol) ?? `h2load cannot drive ${protocol}`);
    default:
      return assertNever(family);
  }
}

/** `--h1` for HTTP/1.1; HTTP/2 is h2load's default (h2c by prior knowledge in cleartext, ALPN h2 over TLS). */
function protocolArgs(protocol: Protocol): string[] {
  const family = armOf(protocol).family;
  switch (family) {
    case "http1":
      return ["--h1"];
    case "http2":
    case "grpc":
      return [];
    case "websocket":
      throw new TypeError(h2loadRefusal(protocol) ?? `h2load cannot drive ${protocol}`);
    default:
      return assertNever(family);
  }
}

/** `-m`: 1 for the one-at-a-time arms, `--streams` for the multiplexed ones. */
export function h2loadStreamsPerConnection(load: Pick<H2loadLoad, "protocol" | "streams">): number {
  const streams = armOf(load.protocol).streams;
  switch (streams) {
    case "one-at-a-time":
      return 1;
    case "multiplexed":
    case "bidi-stream":
      return load.streams;
    default:
      return assertNever(streams);
  }
}

/** h2load's `--rps`: the offered rate over the connections, exactly (see the file's comment). */
export function perConnectionRps(offeredRps: number, connections: number): number {
  return offeredRps / connections;
}

export function h2loadUrl(protocol: Protocol, host: string, port: number): string {
  const scheme = armOf(protocol).tls ? "https" : "http";
  const authority = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  return `${scheme}://${authority}${UNARY_PATH}`;
}

/** h2load's argv, program first; throws for an arm `h2loadRefusal` refuses (the config has refused it already). */
export function h2loadArgv(load: H2loadLoad): string[] {
  const refusal = h2loadRefusal(load.protocol);
  if (refusal !== null) throw new TypeError(refusal);
  return [
    H2LOAD_PROGRAM,
    "-t", "1",
    "-c", String(load.connections),
    "-m", String(h2loadStreamsPerConnection(load)),
    "--rps", String(perConnectionRps(load.offeredRps, load.connections)),
    "--warm-up-time", `${Math.round(load.warmupMs)}ms`,
    "-D", `${Math.round(load.durationMs) + H2LOAD_DRAIN_MS}ms`,
    "-d", load.bodyPath,
    "--log-file", load.logPath,
    ...headerArgs(load.protocol),
    ...protocolArgs(load.protocol),
    h2loadUrl(load.protocol, load.host, load.port),
  ];
}

/**
 * The closed-loop priming run (`--prime`): `requests` requests, one in flight per connection, as bench/load/prime.ts
 * primes with our clients — no rate, no duration, so h2load logs every request.
 */
export function h2loadPrimeArgv(load: H2loadLoad, requests: number): string[] {
  return [
    H2LOAD_PROGRAM,
    "-t", "1",
    "-c", String(load.connections),
    "-m", "1",
    // h2load refuses fewer requests than clients (each client needs one).
    "-n", String(Math.max(requests, load.connections)),
    "-d", load.bodyPath,
    "--log-file", load.logPath,
    ...headerArgs(load.protocol),
    ...protocolArgs(load.protocol),
    h2loadUrl(load.protocol, load.host, load.port),
  ];
}
