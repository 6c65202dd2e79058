/**
 * What a TLS arm's server negotiates with a Node client: protocol version, cipher suite and ALPN. The generator opens
 * one connection of its own before warming its client, as that client would (the per-run CA, server name localhost,
 * the arm's ALPN), and reports what it got; the scenario records it (`tls` in result.json). The load's own clients
 * use the same OpenSSL and the same settings, so they negotiate the same; h2load, a different build, is not probed.
 */
import tls from "node:tls";
import { armOf, assertNever, secureContextParameters, TLS_SERVER_NAME } from "../../contract/index.ts";
import type { Protocol, TlsHandshakeCounts, TlsParameters } from "../../contract/index.ts";

export interface TlsSession {
  /** e.g. "TLSv1.3" */
  readonly version: string;
  /** The IANA name, e.g. "TLS_AES_256_GCM_SHA384". */
  readonly cipher: string;
  /** What ALPN chose: "http/1.1" or "h2". */
  readonly alpn: string | null;
  /**
   * The key exchange group, e.g. "X25519MLKEM768": Node 24's OpenSSL 3.5 offers the post-quantum hybrid first, whose
   * key share adds about 1.2 KB to the ClientHello and 1.1 KB to the ServerHello of every handshake, resumed ones
   * included. Null when OpenSSL does not say; absent in results before it was recorded.
   */
  readonly group?: string | null;
  /**
   * The measured window's handshakes, full and resumed, where the client counts them (the HTTP/1.1 clients: on
   * `https1-close` one per request). The clients always offer the last session they were given, as browsers do, so
   * `resumed` is what resumption saved. Absent for the other clients, and in results before it was counted.
   */
  readonly handshakes?: TlsHandshakeCounts;
}

/** The ALPN protocol the arm's clients offer. */
export function alpnFor(protocol: Protocol): string {
  const family = armOf(protocol).family;
  switch (family) {
    case "http1":
    case "websocket": // the opening handshake is an HTTP/1.1 request (RFC 6455 §4.1)
      return "http/1.1";
    case "http2":
    case "grpc":
      return "h2";
    default:
      return assertNever(family);
  }
}

/**
 * Opens one TLS connection to `host:port` as the arm's clients do (with the run's `--tls-version` and
 * `--tls-ciphers`), reads what was negotiated, and closes it.
 */
export function probeTlsSession(
  protocol: Protocol,
  host: string,
  port: number,
  caPem: string,
  parameters?: TlsParameters,
  timeoutMs = 5000,
): Promise<TlsSession> {
  return new Promise((resolve, reject) => {
    const options = { host, port, ca: caPem, servername: TLS_SERVER_NAME, ALPNProtocols: [alpnFor(protocol)], ...secureContextParameters(parameters) };
    const socket = tls.connect(options);
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const cipher = socket.getCipher();
      const group = (socket.getEphemeralKeyInfo() as { name?: unknown } | null)?.name;
      resolve({
        version: socket.getProtocol() ?? "unknown",
        cipher: cipher.standardName ?? cipher.name,
        alpn: socket.alpnProtocol || null,
        group: typeof group === "string" ? group : null,
      });
      socket.end();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
