/**
 * gRPC server (@grpc/grpc-js) for the `grpc` (unary) and `grpc-stream` (one long-lived Bidi call per connection)
 * arms, and their TLS twins `grpc-tls` and `grpc-stream-tls` (the per-run certificate and the run's TLS version and
 * ciphers; grpc-js offers ALPN h2).
 * Every arm serves the whole `wirecost.Bench` service; the arm only decides what the client calls.
 */

import * as grpc from "@grpc/grpc-js";
import type { Http2Session } from "node:http2";
import { armServedBy, secureContextParameters } from "../../contract/index.ts";
import type { RunningServer, ServerOptions, TlsMaterial, TlsParameters } from "../../contract/index.ts";
import { bodyLooksRight, makeBody } from "../../proto/codec.ts";
import { grpcAddress, loadBenchService, MAX_GRPC_MESSAGE_BYTES } from "../../proto/grpc-service.ts";
import type { PayloadMessage } from "../../proto/grpc-service.ts";
import { runServerChild } from "../child.ts";

/** How long `tryShutdown` may wait for calls to finish before `forceShutdown` ends them. */
const SHUTDOWN_GRACE_MS = 1_000;
/** grpc-js's default: how long a keepalive ping may go unanswered before the connection is dropped. */
const KEEPALIVE_TIMEOUT_MS = 20_000;
/** Same limit as the http2 server (servers/http2/server.ts), so large bodies are not refused early. */
const MAX_SESSION_MEMORY_MB = 256;

const SHUTTING_DOWN: grpc.ServerErrorResponse = Object.assign(new Error("server shutting down"), {
  code: grpc.status.UNAVAILABLE,
});

/**
 * grpc-js 1.14.7 `forceShutdown()` destroys only the sessions it tracks for channelz, so with channelz off (as
 * here) it leaves open connections behind. Destroy them through its per-listener session sets instead; if a later
 * grpc-js renames that field this does nothing and forceShutdown is on its own again.
 */
function destroySessions(server: grpc.Server): void {
  const listeners = (server as unknown as { http2Servers?: Map<unknown, { sessions?: Set<Http2Session> }> }).http2Servers;
  if (!(listeners instanceof Map)) return;
  for (const listener of listeners.values()) {
    for (const session of listener.sessions ?? []) session.destroy();
  }
}

/**
 * createSsl's credentials with the run's TLS version and ciphers as well: createSsl takes neither (its ciphers are
 * the GRPC_SSL_CIPHER_SUITES variable's, read once at load). grpc-js 1.14 builds the secure server from a
 * ServerCredentials' constructor options and context options (server.js `createHttp2Server` spreads both into
 * http2.createSecureServer), and the constructor taking them is public, so a subclass says what createSsl cannot.
 */
class TlsServerCredentials extends grpc.ServerCredentials {
  constructor(tls: TlsMaterial, params: TlsParameters | undefined) {
    super({ requestCert: false }, { key: [Buffer.from(tls.keyPem)], cert: [Buffer.from(tls.certPem)], ...secureContextParameters(params) });
  }

  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

function invalidArgument(body: Uint8Array, expected: number): grpc.ServerErrorResponse {
  return Object.assign(new Error(`request body of ${body.length} bytes, expected ${expected}`), {
    code: grpc.status.INVALID_ARGUMENT,
  });
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { tls } = armServedBy(opts.protocol, "grpc", "servers/grpc");
  if (tls && opts.tls === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.tls`);
  return listen(opts, tls ? (opts.tls ?? null) : null);
}

type BidiCall = grpc.ServerDuplexStream<PayloadMessage, PayloadMessage>;

/** `openCalls` collects the live Bidi calls, which only end when the client ends them or `close()` does. */
function createHandlers(opts: ServerOptions, openCalls: Set<BidiCall>): grpc.UntypedServiceImplementation {
  const { requestBytes } = opts;
  const responseBody = makeBody(opts.responseBytes);
  const { streamMessages } = opts.settings;

  const Unary: grpc.handleUnaryCall<PayloadMessage, PayloadMessage> = (call, callback) => {
    const { seq, body } = call.request;
    if (!bodyLooksRight(body, requestBytes)) callback(invalidArgument(body, requestBytes));
    else callback(null, { seq, body: responseBody });
  };

  const ServerStream: grpc.handleServerStreamingCall<PayloadMessage, PayloadMessage> = (call) => {
    call.on("error", () => {});
    const { seq, body } = call.request;
    if (!bodyLooksRight(body, requestBytes)) {
      call.emit("error", invalidArgument(body, requestBytes));
      return;
    }
    for (let i = 0; i < streamMessages; i++) call.write({ seq, body: responseBody });
    call.end();
  };

  const Bidi: grpc.handleBidiStreamingCall<PayloadMessage, PayloadMessage> = (call) => {
    openCalls.add(call);
    call.on("close", () => openCalls.delete(call));
    let failed = false;
    call.on("data", (message: PayloadMessage) => {
      if (failed) return;
      if (!bodyLooksRight(message.body, requestBytes)) {
        // A status ends the whole call (gRPC has no per-message status); the client fails what is pending on it.
        failed = true;
        openCalls.delete(call);
        call.emit("error", invalidArgument(message.body, requestBytes));
        return;
      }
      call.write({ seq: message.seq, body: responseBody });
    });
    call.on("end", () => {
      if (!failed) call.end();
    });
    // A client cancel surfaces as an error on the call; it must not reach the process.
    call.on("error", () => {});
  };

  return { Unary, ServerStream, Bidi };
}

function listen(opts: ServerOptions, tls: TlsMaterial | null): Promise<RunningServer> {
  const server = new grpc.Server({
    "grpc.max_concurrent_streams": opts.settings.maxConcurrentStreams,
    "grpc.keepalive_time_ms": opts.settings.grpcKeepaliveTimeMs,
    "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
    "grpc.max_receive_message_length": MAX_GRPC_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_GRPC_MESSAGE_BYTES,
    "grpc-node.max_session_memory": MAX_SESSION_MEMORY_MB,
    // channelz keeps per-call counters and traces: CPU the HTTP arms do not spend.
    "grpc.enable_channelz": 0,
  });
  const openCalls = new Set<BidiCall>();
  server.addService(loadBenchService().definition, createHandlers(opts, openCalls));

  function close(): Promise<void> {
    return new Promise((done) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        destroySessions(server);
        done();
      }, SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        done();
      });
      // tryShutdown waits for every call to end, and a Bidi call lasts until its client ends it.
      for (const call of openCalls) call.emit("error", SHUTTING_DOWN);
      openCalls.clear();
    });
  }

  return new Promise((resolve, reject) => {
    const credentials =
      tls === null
        ? grpc.ServerCredentials.createInsecure()
        : new TlsServerCredentials(tls, opts.tlsParameters);
    server.bindAsync(grpcAddress(opts.host, opts.port), credentials, (err, port) => {
      if (err !== null) reject(err);
      else resolve({ port, close });
    });
  });
}

if (import.meta.main) runServerChild("grpc", startServer);
