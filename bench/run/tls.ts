/**
 * Per-run TLS material for the TLS arms: a self-signed EC P-256 certificate for `localhost` (TLS_SERVER_NAME), the
 * loopback addresses and any server addresses the topology uses, made with the `openssl` CLI in a private temporary
 * directory.
 *
 * It is never written into the repository; `cleanup()` removes the directory.
 */

import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { TLS_SERVER_NAME } from "../../contract/index.ts";
import type { TlsMaterial } from "../../contract/index.ts";

const run = promisify(execFile);

export interface TlsFiles extends TlsMaterial {
  /** The temporary directory holding `key.pem` and `cert.pem`, mode 0700. */
  readonly dir: string;
  /** Removes `dir`. Safe to call more than once. */
  cleanup(): Promise<void>;
}

/** Certificate lifetime; a run lasts minutes, and a short life limits the harm of a leaked key. */
const VALID_DAYS = 2;

/**
 * Makes a key and a self-signed certificate valid for `localhost`, 127.0.0.1, ::1 and `ipAddresses` (the server
 * namespace addresses). Clients trust it by passing `certPem` as their CA.
 */
export async function makeTlsMaterial(ipAddresses: readonly string[] = []): Promise<TlsFiles> {
  for (const ip of ipAddresses) {
    // The addresses end up inside an openssl -addext argument, where a comma would start a new name.
    if (isIP(ip) === 0) throw new TypeError(`not an IP address for the TLS certificate: ${JSON.stringify(ip)}`);
  }
  const ips = [...new Set(["127.0.0.1", "::1", ...ipAddresses])];
  const subjectAltName = [`DNS:${TLS_SERVER_NAME}`, ...ips.map((ip) => `IP:${ip}`)].join(",");
  const dir = await mkdtemp(join(tmpdir(), "wirecost-tls-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await chmod(dir, 0o700);
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    await run(
      "openssl",
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", keyPath, "-out", certPath, "-days", String(VALID_DAYS),
        "-subj", `/CN=${TLS_SERVER_NAME}`, "-addext", `subjectAltName=${subjectAltName}`,
      ],
      { timeout: 30_000 },
    );
    const [keyPem, certPem] = await Promise.all([readFile(keyPath, "utf8"), readFile(certPath, "utf8")]);
    return { keyPem, certPem, dir, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
