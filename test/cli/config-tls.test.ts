/** `--tls-version` and `--tls-ciphers`: both ends of the TLS arms told the same, refused before anything starts. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import { DEFAULTS } from "../../bench/config/resolve.ts";
import { splitCiphers } from "../../bench/config/tls-rules.ts";
import { UsageError } from "../../bench/support/errors.ts";
import { secureContextParameters } from "../../contract/index.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));

function refusal(argv: string[]): UsageError {
  try {
    configFromArgv(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(" ")} to be refused`);
}

describe("--tls-version and --tls-ciphers", () => {
  it("default to auto and Node's cipher list, which tell neither end anything", () => {
    expect(DEFAULTS).toMatchObject({ tlsVersion: "auto", tlsCiphers: null });
    expect(secureContextParameters({ version: DEFAULTS.tlsVersion, ciphers: DEFAULTS.tlsCiphers })).toEqual({});
  });

  it("pin both ends' minimum and maximum version, and pass the cipher string as given", () => {
    expect(configFromArgv(["--protocols", "https1-close", "--tls-version", "1.2", "--tls-ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384"])).toMatchObject({
      tlsVersion: "1.2",
      tlsCiphers: "ECDHE-ECDSA-AES256-GCM-SHA384",
    });
    expect(secureContextParameters({ version: "1.2", ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384" })).toEqual({
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
      ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384",
    });
    expect(secureContextParameters({ version: "1.3", ciphers: null })).toEqual({ minVersion: "TLSv1.3", maxVersion: "TLSv1.3" });
    // --tls-groups is Node's ecdhCurve, on both ends.
    expect(secureContextParameters({ version: "auto", ciphers: null, groups: "X25519" })).toEqual({ ecdhCurve: "X25519" });
    expect(configFromArgv(["--protocols", "h2", "--tls-groups", "X25519:P-256"])).toMatchObject({ tlsGroups: "X25519:P-256" });
    expect(DEFAULTS.tlsGroups).toBeNull();
  });

  it("split a cipher string as Node does: TLS_ names for TLS 1.3, the rest for 1.2", () => {
    expect(splitCiphers("TLS_AES_128_GCM_SHA256::ECDHE-ECDSA-AES128-GCM-SHA256:HIGH")).toEqual({
      tls13: ["TLS_AES_128_GCM_SHA256"],
      tls12: ["ECDHE-ECDSA-AES128-GCM-SHA256", "HIGH"],
    });
  });

  it.each([
    [["--tls-version", "1.1"], "WC_BAD_VALUE", "--tls-version 1.1: choose one of auto, 1.2, 1.3"],
    [
      ["--protocols", "http1,h2c", "--tls-version", "1.2"],
      "WC_BAD_FLAG",
      "--tls-version 1.2 applies only to the TLS arms; add one of https1,https1-close,h2,grpc-tls,grpc-stream-tls,wss to --protocols, or drop --tls-version 1.2",
    ],
    [
      ["--protocols", "grpc", "--tls-ciphers", "TLS_AES_128_GCM_SHA256"],
      "WC_BAD_FLAG",
      "--tls-ciphers applies only to the TLS arms; add one of https1,https1-close,h2,grpc-tls,grpc-stream-tls,wss to --protocols, or drop --tls-ciphers",
    ],
    [
      ["--protocols", "grpc", "--tls-version", "1.3", "--tls-ciphers", "TLS_AES_128_GCM_SHA256"],
      "WC_BAD_FLAG",
      "--tls-version 1.3 and --tls-ciphers apply only to the TLS arms; add one of https1,https1-close,h2,grpc-tls,grpc-stream-tls,wss to --protocols, or drop --tls-version 1.3 and --tls-ciphers",
    ],
    [
      ["--protocols", "h2", "--driver", "h2load", "--tls-version", "1.3"],
      "WC_UNSUPPORTED",
      "--tls-version 1.3 cannot be passed on to h2load, which offers its own build's TLS; use --driver node, or drop --tls-version 1.3",
    ],
    [["--tls-ciphers", " "], "WC_BAD_VALUE", "--tls-ciphers is empty; give an OpenSSL cipher string, e.g. TLS_AES_128_GCM_SHA256, or drop it"],
    [
      ["--tls-ciphers", "TLS_AES_128_GCM_SHA257"],
      "WC_BAD_VALUE",
      "--tls-ciphers TLS_AES_128_GCM_SHA257: OpenSSL refuses it (error:0A0000B9:SSL routines::no cipher match); give an OpenSSL cipher string, e.g. TLS_AES_128_GCM_SHA256 or ECDHE-ECDSA-AES128-GCM-SHA256",
    ],
    [
      ["--tls-version", "1.2", "--tls-ciphers", "TLS_AES_128_GCM_SHA256"],
      "WC_BAD_VALUE",
      "--tls-ciphers TLS_AES_128_GCM_SHA256 names only TLS 1.3 suites and --tls-version 1.2 needs a TLS 1.2 cipher; add one, e.g. ECDHE-ECDSA-AES128-GCM-SHA256",
    ],
    [
      ["--tls-version", "1.3", "--tls-ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256"],
      "WC_BAD_VALUE",
      "--tls-ciphers ECDHE-ECDSA-AES128-GCM-SHA256 names no TLS 1.3 suite (TLS_…), so TLS 1.3 would negotiate Node's default suites and the flag would change nothing; name TLS 1.3 suites, e.g. TLS_AES_128_GCM_SHA256",
    ],
    [
      ["--tls-ciphers", "HIGH"],
      "WC_BAD_VALUE",
      "--tls-ciphers HIGH names no TLS 1.3 suite (TLS_…), so TLS 1.3 would negotiate Node's default suites and the flag would change nothing; add --tls-version 1.2 to use these, or name TLS 1.3 suites, e.g. TLS_AES_128_GCM_SHA256",
    ],
    [
      ["--tls-version", "1.2", "--tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA"],
      "WC_BAD_VALUE",
      "--tls-ciphers ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA: no TLS 1.2 cipher in it authenticates with ECDSA, and the per-run certificate is ECDSA P-256; name one, e.g. ECDHE-ECDSA-AES128-GCM-SHA256",
    ],
    [
      ["--protocols", "grpc", "--tls-version", "1.3", "--tls-ciphers", "TLS_AES_128_GCM_SHA256", "--tls-groups", "X25519"],
      "WC_BAD_FLAG",
      "--tls-version 1.3, --tls-ciphers and --tls-groups apply only to the TLS arms; add one of https1,https1-close,h2,grpc-tls,grpc-stream-tls,wss to --protocols, or drop --tls-version 1.3, --tls-ciphers and --tls-groups",
    ],
    [["--tls-groups", "X25519:nope"], "WC_BAD_VALUE", "--tls-groups X25519:nope: OpenSSL refuses it (Failed to set ECDH curve); give an OpenSSL group list, e.g. X25519 or X25519MLKEM768:X25519"],
    [["--tls-groups", " "], "WC_BAD_VALUE", "--tls-groups is empty; give an OpenSSL group list, e.g. X25519 or X25519MLKEM768:X25519, or drop it"],
    [
      ["--tls-version", "1.2", "--tls-groups", "X25519MLKEM768"],
      "WC_BAD_VALUE",
      "--tls-groups X25519MLKEM768 names only ML-KEM hybrids, which TLS 1.2 cannot use; add a curve, e.g. X25519, or drop --tls-version 1.2",
    ],
  ] as const)("refuse %j in one line with the fix", (argv, code, message) => {
    const error = refusal([...argv]);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it("accept what OpenSSL can negotiate with the per-run certificate", () => {
    for (const argv of [
      ["--tls-version", "1.2", "--tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305"],
      ["--tls-version", "1.2", "--tls-ciphers", "HIGH"],
      ["--tls-version", "1.3", "--tls-ciphers", "TLS_CHACHA20_POLY1305_SHA256"],
      ["--tls-ciphers", "TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256"],
      ["--tls-groups", "X25519"],
      ["--tls-version", "1.2", "--tls-groups", "X25519MLKEM768:P-256"],
    ]) {
      expect(() => configFromArgv(["--protocols", "h2", ...argv]), argv.join(" ")).not.toThrow();
    }
  });

  it("make npm run bench exit 2 with that line before it creates anything", () => {
    const dir = mkdtempSync(join(tmpdir(), "wirecost-tls-flags-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, "results");
    const r = spawnSync(process.execPath, [BIN, "--protocols", "h2", "--tls-ciphers", "nonsense", "--out", out], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.stderr).toBe(
      "wirecost: --tls-ciphers nonsense: OpenSSL refuses it (error:0A0000B9:SSL routines::no cipher match); give an OpenSSL cipher string, e.g. TLS_AES_128_GCM_SHA256 or ECDHE-ECDSA-AES128-GCM-SHA256\n",
    );
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
