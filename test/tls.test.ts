import { X509Certificate } from "node:crypto";
import { access, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { describe, expect, it, onTestFinished } from "vitest";
import { DEFAULT_SERVER_SETTINGS } from "../contract/index.ts";
import { makeTlsMaterial } from "../bench/run/tls.ts";
import { createClient } from "../clients/index.ts";
import { startServer } from "../servers/index.ts";

describe("per-run TLS material", () => {
  it("is a certificate for localhost, loopback and the given addresses, in a private temporary directory", async () => {
    const tls = await makeTlsMaterial(["10.99.0.2", "fd00::2"]);
    onTestFinished(() => tls.cleanup());
    expect(tls.dir.startsWith(tmpdir())).toBe(true);
    expect(tls.dir.startsWith(process.cwd())).toBe(false);
    expect((await stat(tls.dir)).mode & 0o777).toBe(0o700);
    const cert = new X509Certificate(tls.certPem);
    expect(cert.checkHost("localhost")).toBe("localhost");
    for (const ip of ["127.0.0.1", "::1", "10.99.0.2", "fd00::2"]) expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.checkIP("10.99.0.3")).toBeUndefined();
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(tls.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("is accepted by the h2 server and trusted by the h2 client", async () => {
    const tls = await makeTlsMaterial();
    onTestFinished(() => tls.cleanup());
    const server = await startServer({
      protocol: "h2",
      host: "127.0.0.1",
      port: 0,
      requestBytes: 16,
      responseBytes: 16,
      settings: DEFAULT_SERVER_SETTINGS,
      tls,
    });
    onTestFinished(() => server.close());
    const base = { protocol: "h2", host: "127.0.0.1", port: server.port, connections: 1, streams: 1, requestBytes: 16, responseBytes: 16, requestTimeoutMs: 5_000 } as const;
    const trusting = await createClient({ ...base, caPem: tls.certPem });
    onTestFinished(() => trusting.close());
    expect(await new Promise((resolve) => trusting.send(1, resolve))).toBeNull();

    // Another run's certificate is not trusted: the handshake fails, which the client reports as connect.
    const stranger = await makeTlsMaterial();
    onTestFinished(() => stranger.cleanup());
    const doubting = await createClient({ ...base, caPem: stranger.certPem });
    onTestFinished(() => doubting.close());
    const outcome = await new Promise<{ kind: string } | null>((resolve) => doubting.send(2, resolve));
    expect(outcome?.kind).toBe("connect");
  });

  it("is removed by cleanup, which may be called twice", async () => {
    const tls = await makeTlsMaterial();
    await tls.cleanup();
    await expect(access(tls.dir)).rejects.toMatchObject({ code: "ENOENT" });
    await tls.cleanup();
  });

  it("refuses a name that is not an IP address before running openssl", async () => {
    await expect(makeTlsMaterial(["10.0.0.1,DNS:evil.example"])).rejects.toThrow(/not an IP address/);
  });
});
