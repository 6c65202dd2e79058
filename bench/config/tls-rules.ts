/**
 * What `--tls-version`, `--tls-ciphers` and `--tls-groups` must agree on with each other and with the rest of the config, checked
 * as the config resolves so a run that could not handshake, or whose flag would change nothing, never starts.
 * OpenSSL itself judges the cipher string and the group list: tls.createSecureContext is pure computation, no I/O.
 */
import { createSecureContext } from "node:tls";
import { OUR_ARMS, secureContextParameters } from "../../contract/index.ts";
import { UsageError } from "../support/errors.ts";
import type { BenchConfig } from "./config.ts";

/** The TLS arms our servers answer: the only ones the flags reach (nginx keeps its own TLS, server-rules.ts). */
const TLS_ARMS: readonly string[] = OUR_ARMS.filter((arm) => arm.tls).map((arm) => arm.name);

/**
 * The entries Node hands to TLS 1.3 (SSL_CTX_set_ciphersuites) and to TLS 1.2 (SSL_CTX_set_cipher_list): it splits
 * the string at ':' and sends the `TLS_` names to the first (lib/internal/tls/secure-context.js `processCiphers`).
 */
export function splitCiphers(ciphers: string): { readonly tls13: readonly string[]; readonly tls12: readonly string[] } {
  const entries = ciphers.split(":").filter((entry) => entry !== "");
  return { tls13: entries.filter((e) => e.startsWith("TLS_")), tls12: entries.filter((e) => !e.startsWith("TLS_")) };
}

/**
 * The per-run certificate is ECDSA P-256 (bench/run/tls.ts), so a TLS 1.2 cipher must authenticate with ECDSA: with
 * every other authentication taken out, OpenSSL must still find one, or it throws "no cipher match".
 */
function hasEcdsaCipher(tls12: readonly string[]): boolean {
  try {
    createSecureContext({ ciphers: [...tls12, "!aRSA", "!aDSS", "!aNULL", "!PSK", "!SRP"].join(":"), maxVersion: "TLSv1.2" });
    return true;
  } catch {
    return false;
  }
}

/**
 * `--tls-groups`: OpenSSL must know every group (SSL_CTX_set1_groups_list refuses the list otherwise), and under
 * `--tls-version 1.2` one must be a classic curve: the ML-KEM hybrids exist only in TLS 1.3's key shares.
 */
function checkGroups(groups: string, version: BenchConfig["tlsVersion"]): void {
  const fix = "give an OpenSSL group list, e.g. X25519 or X25519MLKEM768:X25519";
  if (groups.trim() === "") throw new UsageError("WC_BAD_VALUE", `--tls-groups is empty; ${fix}, or drop it`);
  try {
    createSecureContext({ ecdhCurve: groups });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError("WC_BAD_VALUE", `--tls-groups ${groups}: OpenSSL refuses it (${reason}); ${fix}`);
  }
  if (version === "1.2" && groups.split(":").every((g) => /MLKEM/i.test(g))) {
    throw new UsageError("WC_BAD_VALUE", `--tls-groups ${groups} names only ML-KEM hybrids, which TLS 1.2 cannot use; add a curve, e.g. X25519, or drop --tls-version 1.2`);
  }
}

/** Throws a one-line UsageError naming the flag and the fix when the TLS flags cannot apply as asked. */
export function checkTlsParameters(config: BenchConfig): void {
  const { tlsVersion: version, tlsCiphers: ciphers } = config;
  // Absent from configs made before the flag existed.
  const groups = config.tlsGroups ?? null;
  if (version === "auto" && ciphers === null && groups === null) return;
  const given = [version === "auto" ? null : `--tls-version ${version}`, ciphers === null ? null : "--tls-ciphers", groups === null ? null : "--tls-groups"].filter(
    (f) => f !== null,
  );
  const flags = given.length <= 2 ? given.join(" and ") : `${given.slice(0, -1).join(", ")} and ${given.at(-1)}`;
  if (!config.protocols.some((p) => TLS_ARMS.includes(p))) {
    const apply = given.length === 1 ? "applies" : "apply";
    throw new UsageError("WC_BAD_FLAG", `${flags} ${apply} only to the TLS arms; add one of ${TLS_ARMS.join(",")} to --protocols, or drop ${flags}`);
  }
  if (config.driver === "h2load") {
    throw new UsageError("WC_UNSUPPORTED", `${flags} cannot be passed on to h2load, which offers its own build's TLS; use --driver node, or drop ${flags}`);
  }
  if (groups !== null) checkGroups(groups, version);
  if (ciphers === null) return;
  if (ciphers.trim() === "") throw new UsageError("WC_BAD_VALUE", "--tls-ciphers is empty; give an OpenSSL cipher string, e.g. TLS_AES_128_GCM_SHA256, or drop it");
  try {
    createSecureContext(secureContextParameters({ version, ciphers }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError("WC_BAD_VALUE", `--tls-ciphers ${ciphers}: OpenSSL refuses it (${reason}); give an OpenSSL cipher string, e.g. TLS_AES_128_GCM_SHA256 or ECDHE-ECDSA-AES128-GCM-SHA256`);
  }
  const { tls13, tls12 } = splitCiphers(ciphers);
  if (version === "1.2" && tls12.length === 0) {
    throw new UsageError("WC_BAD_VALUE", `--tls-ciphers ${ciphers} names only TLS 1.3 suites and --tls-version 1.2 needs a TLS 1.2 cipher; add one, e.g. ECDHE-ECDSA-AES128-GCM-SHA256`);
  }
  if (version !== "1.2" && tls13.length === 0) {
    // Without TLS_ names Node leaves OpenSSL's TLS 1.3 suites as they are, and 1.3 is what both ends negotiate.
    const fix = version === "1.3" ? "name TLS 1.3 suites, e.g. TLS_AES_128_GCM_SHA256" : "add --tls-version 1.2 to use these, or name TLS 1.3 suites, e.g. TLS_AES_128_GCM_SHA256";
    throw new UsageError("WC_BAD_VALUE", `--tls-ciphers ${ciphers} names no TLS 1.3 suite (TLS_…), so TLS 1.3 would negotiate Node's default suites and the flag would change nothing; ${fix}`);
  }
  if (version === "1.2" && !hasEcdsaCipher(tls12)) {
    throw new UsageError("WC_BAD_VALUE", `--tls-ciphers ${ciphers}: no TLS 1.2 cipher in it authenticates with ECDSA, and the per-run certificate is ECDSA P-256; name one, e.g. ECDHE-ECDSA-AES128-GCM-SHA256`);
  }
}
