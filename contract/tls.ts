/**
 * What the TLS arms negotiate when told (`--tls-version`, `--tls-ciphers`, `--tls-groups`): the same parameters go to the server and
 * to every TLS client, so both ends offer the same and a run cannot measure one thing while recording another.
 */

import { assertNever } from "./arms.ts";

/**
 * `auto` leaves Node's range (tls.DEFAULT_MIN_VERSION TLSv1.2 to DEFAULT_MAX_VERSION TLSv1.3), so the ends
 * negotiate 1.3; `1.2` and `1.3` pin both ends to that one version.
 */
export const TLS_VERSIONS = ["auto", "1.2", "1.3"] as const;
export type TlsVersionChoice = (typeof TLS_VERSIONS)[number];

export interface TlsParameters {
  readonly version: TlsVersionChoice;
  /**
   * An OpenSSL cipher string for both ends, or null for Node's default list. Node hands the `TLS_…` names to
   * SSL_CTX_set_ciphersuites (TLS 1.3) and the rest to SSL_CTX_set_cipher_list (TLS 1.2), as
   * tls.createSecureContext documents for `ciphers`.
   */
  readonly ciphers: string | null;
  /**
   * An OpenSSL group list for the key exchange, both ends, e.g. "X25519" (tls.createSecureContext `ecdhCurve`), or
   * null (and absent) for Node's default — with OpenSSL 3.5 the post-quantum hybrid X25519MLKEM768 first, whose key
   * shares add about 2.3 KB to every handshake, resumed ones included (measured on loopback, 2026-12-05: a resumed
   * connection's TLS bytes 3 392 with it, 1 092 with X25519).
   */
  readonly groups?: string | null;
}

export const DEFAULT_TLS_PARAMETERS: TlsParameters = { version: "auto", ciphers: null, groups: null };

/**
 * The TLS handshakes a client's connections completed, by whether the server resumed a session the client offered
 * (TLSSocket#isSessionReused): a full handshake sends the certificate and costs the server a signature, a resumed
 * one neither (RFC 8446 §2.2; TLS 1.3 resumption still runs an ECDHE exchange, OpenSSL's default psk_dhe_ke mode).
 */
export interface TlsHandshakeCounts {
  readonly full: number;
  readonly resumed: number;
}

/** The tls.createSecureContext / tls.connect / createSecureServer options that say it; empty for the defaults. */
export interface SecureContextParameters {
  readonly minVersion?: "TLSv1.2" | "TLSv1.3";
  readonly maxVersion?: "TLSv1.2" | "TLSv1.3";
  readonly ciphers?: string;
  readonly ecdhCurve?: string;
}

export function secureContextParameters(params: TlsParameters = DEFAULT_TLS_PARAMETERS): SecureContextParameters {
  const ciphers = {
    ...(params.ciphers === null ? {} : { ciphers: params.ciphers }),
    ...(params.groups === null || params.groups === undefined ? {} : { ecdhCurve: params.groups }),
  };
  switch (params.version) {
    case "auto":
      return ciphers;
    case "1.2":
      return { minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ...ciphers };
    case "1.3":
      return { minVersion: "TLSv1.3", maxVersion: "TLSv1.3", ...ciphers };
    default:
      return assertNever(params.version);
  }
}
