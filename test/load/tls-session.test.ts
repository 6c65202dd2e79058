/**
 * A TLS arm records what its server negotiates with a Node client: a real connection to each TLS arm's real server,
 * on loopback, with the per-run certificate.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { alpnFor, probeTlsSession } from "../../bench/load/tls-session.ts";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";
import { DEFAULT_SERVER_SETTINGS, OUR_ARMS } from "../../contract/index.ts";
import { startServer } from "../../servers/index.ts";

let material: TlsFiles;
beforeAll(async () => {
  material = await makeTlsMaterial();
});
afterAll(async () => {
  await material?.cleanup();
});

const TLS_ARMS = OUR_ARMS.filter((arm) => arm.tls).map((arm) => arm.name);

describe.each(TLS_ARMS)("the %s arm's TLS session", (protocol) => {
  it("is TLS 1.3 with the arm's ALPN, and names its cipher suite", async () => {
    const server = await startServer({ protocol, host: "127.0.0.1", port: 0, requestBytes: 16, responseBytes: 16, settings: DEFAULT_SERVER_SETTINGS, tls: material });
    onTestFinished(() => server.close());
    const session = await probeTlsSession(protocol, "127.0.0.1", server.port, material.certPem);
    expect(session.version).toBe("TLSv1.3");
    expect(session.alpn).toBe(alpnFor(protocol));
    expect(session.cipher).toMatch(/^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
    // Node 24.21's OpenSSL 3.5 offers the post-quantum hybrid group first, and our servers accept it.
    expect(session.group).toBe("X25519MLKEM768");
  });

  it.each([
    // TLS 1.2 has no hybrid groups (RFC 8446's key shares): its ECDHE takes X25519.
    [{ version: "1.2", ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384" }, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "X25519"],
    [{ version: "1.3", ciphers: "TLS_CHACHA20_POLY1305_SHA256" }, "TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256", "X25519MLKEM768"],
    [{ version: "1.2", ciphers: null }, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "X25519"],
    [{ version: "1.3", ciphers: null, groups: "P-256" }, "TLSv1.3", "TLS_AES_256_GCM_SHA384", "prime256v1"],
  ] as const)("is what --tls-version and --tls-ciphers pin, %j, whether the probe is told them or not", async (tlsParameters, version, cipher, group) => {
    const server = await startServer({ protocol, host: "127.0.0.1", port: 0, requestBytes: 16, responseBytes: 16, settings: DEFAULT_SERVER_SETTINGS, tls: material, tlsParameters });
    onTestFinished(() => server.close());
    const expected = { version, cipher, alpn: alpnFor(protocol), group };
    expect(await probeTlsSession(protocol, "127.0.0.1", server.port, material.certPem, tlsParameters)).toEqual(expected);
    expect(await probeTlsSession(protocol, "127.0.0.1", server.port, material.certPem)).toEqual(expected);
  });

  it("fails against a server whose certificate the run did not sign", async () => {
    const other = await makeTlsMaterial();
    onTestFinished(() => other.cleanup());
    const server = await startServer({ protocol, host: "127.0.0.1", port: 0, requestBytes: 16, responseBytes: 16, settings: DEFAULT_SERVER_SETTINGS, tls: other });
    onTestFinished(() => server.close());
    await expect(probeTlsSession(protocol, "127.0.0.1", server.port, material.certPem)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });
});
