/**
 * A user server's start and stop on loopback (bench/run/user-server.ts): what it finds in `{dir}` — the run's
 * certificate and key for h2, its config file — the command line as run and recorded, the version it gave, and the
 * directory gone after the stop. The server is a small Node program that serves HTTP/2 over TLS with the key it
 * finds there, so a wire client's request proves the certificate it was given is the one the client trusts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { userServerEntry } from "../support/user-server-entry.ts";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import { startUserServer } from "../../bench/run/user-server.ts";
import type { Command } from "../../bench/support/child-process.ts";
import { createClientOfKind } from "../../clients/index.ts";
import type { RequestFailure } from "../../contract/index.ts";

const identity = (argv: string[]): Command => ({ file: argv[0] as string, args: argv.slice(1) });
const work = mkdtempSync(join(tmpdir(), "wirecost-user-server-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Reads {dir}/site.json for its answer, {dir}/key.pem and cert.pem for TLS; listens on argv's host and port.
const SERVER = `
const [host, port, dir] = process.argv.slice(1);
const fs = require("node:fs");
const site = JSON.parse(fs.readFileSync(dir + "/site.json", "utf8"));
require("node:http2")
  .createSecureServer({ key: fs.readFileSync(dir + "/key.pem"), cert: fs.readFileSync(dir + "/cert.pem") }, (req, res) => res.writeHead(site.status).end(site.body))
  .listen(Number(port), host);
`;

describe("a user server's start and stop", () => {
  it("gets the run's certificate, key and its config file in {dir}, answers a TLS client that trusts that certificate, and leaves nothing", async () => {
    writeFileSync(join(work, "site.json"), JSON.stringify({ status: 202, body: "accepted" }));
    const tls = await makeTlsMaterial(["127.0.0.1"]);
    onTestFinished(() => tls.cleanup());
    const entry = userServerEntry({
      name: "tls-api",
      protocol: "h2",
      command: [process.execPath, "-e", SERVER, "{host}", "{port}", "{dir}"],
      exchange: { method: "GET", path: "/", headers: [], bodyBase64: "", expect: { status: 202, bodyBytes: 8 } },
      versionCommand: [process.execPath, "--version"],
      configFile: join(work, "site.json"),
    });
    const server = await startUserServer(entry, "127.0.0.1", tls, identity);
    const dir = server.foreign?.argv.at(-1) ?? "";
    try {
      expect(server.foreign).toEqual({
        name: "tls-api",
        version: process.version,
        argv: [process.execPath, "-e", SERVER, "127.0.0.1", String(server.port), dir],
        config: '{"status":202,"body":"accepted"}',
        verified: "status 202 and a body of 8 bytes; a user's server cannot echo a sequence number, so answers were not paired with their requests beyond what h2 pairs",
      });
      expect(existsSync(join(dir, "site.json"))).toBe(true);
      const client = await createClientOfKind("wire", {
        protocol: "h2",
        host: "127.0.0.1",
        port: server.port,
        connections: 1,
        streams: 1,
        requestBytes: 0,
        responseBytes: 0,
        requestTimeoutMs: 5_000,
        caPem: tls.certPem,
        exchange: entry.exchange,
      });
      const outcome = await new Promise<RequestFailure | null>((resolve) => client.send(1, resolve));
      await client.close();
      expect(outcome).toBeNull();
    } finally {
      await server.stop(2_000);
    }
    expect(existsSync(dir)).toBe(false);
    expect(server.child.hasExited()).toBe(true);
  });

  it("stops waiting when told to (Ctrl-C, the scenario's time limit), and stops what it started", async () => {
    const giveUp = new AbortController();
    // Never listens, and would keep the harness waiting its whole readyTimeoutMs. The marker tells its process from
    // the other files' idle children, which may be running beside this one with the same script.
    const marker = `silent-${process.pid}-${Date.now()}`;
    const script = `setInterval(() => {}, 1000) // ${marker}`;
    const entry = userServerEntry({ name: "silent", protocol: "http1", command: [process.execPath, "-e", script, "{dir}"], readyTimeoutMs: 600_000 });
    const started = Date.now();
    const starting = startUserServer(entry, "127.0.0.1", undefined, identity, giveUp.signal);
    setTimeout(() => giveUp.abort("SIGINT"), 300);
    await expect(starting).rejects.toThrow("server entry silent: its start was abandoned (SIGINT)");
    expect(Date.now() - started).toBeLessThan(10_000);
    const leftovers = readdirSync("/proc").filter((pid) => /^\d+$/.test(pid) && cmdlineOf(pid).includes(marker));
    expect(leftovers).toEqual([]);
  });
});

function cmdlineOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1");
  } catch {
    return "";
  }
}
