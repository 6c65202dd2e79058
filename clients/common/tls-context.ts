/**
 * One TLS context per client for the connections it opens, made once from the run's CA and `--tls-version`,
 * `--tls-ciphers` and `--tls-groups`. Given `ca` (as undici's connector and node:http2 pass it on), tls.connect
 * builds a new SecureContext for every connection — parses the CA's PEM and sets up a fresh SSL_CTX: 175–260 µs of
 * the generator's CPU each, measured on the project's machine (2026-12-05). On `https1-close`, a connection per
 * request, that was a cost of our harness, not of TLS; a client that keeps one context, as browsers do, pays it
 * once. Every TLS client here takes its context from this one function, so all of them trust and offer the same.
 */
import tls from "node:tls";
import { secureContextParameters } from "../../contract/index.ts";
import type { TlsParameters } from "../../contract/index.ts";

export function clientSecureContext(caPem: string, parameters?: TlsParameters): tls.SecureContext {
  return tls.createSecureContext({ ca: caPem, ...secureContextParameters(parameters) });
}
