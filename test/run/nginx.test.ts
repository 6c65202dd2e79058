/**
 * nginx as a foreign server (bench/run/nginx.ts): the config, exactly, and nginx itself started with it through
 * bench/run/foreign-server.ts on loopback, answering the workload's POST with the fixed body over HTTP/1.1 (kept
 * alive and closed), h2c and h2, its master and worker counted as one tree, and nothing left after the stop.
 */
import http from "node:http";
import http2 from "node:http2";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { processTreeOf } from "../../bench/collector/process-tree.ts";
import { startArmServer } from "../../bench/run/server-process.ts";
import { createClientOfKind } from "../../clients/index.ts";
import { ARMS, DEFAULT_SERVER_SETTINGS, usesTls } from "../../contract/index.ts";
import type { BenchClient, ClientKind, Protocol, RequestFailure } from "../../contract/index.ts";
import { anyPort, startForeignServer } from "../../bench/run/foreign-server.ts";
import { nginxCommand, nginxConfig, writeNginxSite } from "../../bench/run/nginx.ts";
import type { NginxMode, NginxSite } from "../../bench/run/nginx.ts";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";
import { hasCommand } from "../../bench/support/tools.ts";
import { encodePayload, makeBody, PROTOBUF_CONTENT_TYPE, UNARY_PATH } from "../../proto/codec.ts";

describe("the nginx config", () => {
  it("listens as the mode asks and answers the workload's path from a file, everything under the site's directory", () => {
    const site: NginxSite = { mode: "h2", host: "198.18.0.1", port: 8443, dir: "/tmp/site", maxRequestBytes: 16_777_248, maxConcurrentStreams: 1000 };
    expect(nginxConfig(site)).toBe(`# Written by wirecost for one scenario (bench/run/nginx.ts).
worker_processes 1;
pid /tmp/site/nginx.pid;
error_log stderr warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  client_body_temp_path /tmp/site/client_body;
  proxy_temp_path /tmp/site/proxy;
  fastcgi_temp_path /tmp/site/fastcgi;
  uwsgi_temp_path /tmp/site/uwsgi;
  scgi_temp_path /tmp/site/scgi;
  default_type application/x-protobuf;
  server {
    listen 198.18.0.1:8443 ssl http2;
      ssl_certificate /tmp/site/cert.pem;
      ssl_certificate_key /tmp/site/key.pem;
      ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_timeout 60s;
    keepalive_requests 1000000;
    http2_max_concurrent_streams 1000;
    client_max_body_size 16777248;
    client_body_buffer_size 16777248;
    root /tmp/site/www;
    location = /wirecost.Bench/Unary {
      error_page 405 =200 $uri;
    }
  }
}
`);
    const listen = (mode: NginxMode, host = "127.0.0.1") => /listen ([^;]*);/.exec(nginxConfig({ ...site, mode, host }))?.[1];
    expect([listen("http1"), listen("http1-close"), listen("h2c"), listen("h2c", "::1")]).toEqual(["127.0.0.1:8443", "127.0.0.1:8443", "127.0.0.1:8443 http2", "[::1]:8443 http2"]);
    expect(nginxConfig({ ...site, mode: "http1-close" })).toContain("keepalive_timeout 0;");
    expect(nginxConfig({ ...site, mode: "http1" })).not.toContain("ssl_certificate");
  });

  it("is run in the foreground with that file alone", () => {
    expect(nginxCommand("/tmp/site")).toEqual(["nginx", "-p", "/tmp/site/", "-c", "/tmp/site/nginx.conf", "-e", "stderr", "-g", "daemon off; master_process on;"]);
  });
});

const skip = hasCommand("nginx") ? null : "nginx is not installed (apt-get install nginx-light)";
const REQUEST = encodePayload(7, makeBody(128));
const ANSWER = encodePayload(0, makeBody(1024));

let material: TlsFiles;
beforeAll(async () => {
  material = await makeTlsMaterial();
});
afterAll(async () => {
  await material?.cleanup();
});

async function startNginx(mode: NginxMode): Promise<{ port: number; pid: number }> {
  const dir = mkdtempSync(join(tmpdir(), "wirecost-nginx-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const port = await anyPort();
  writeNginxSite({ mode, host: "127.0.0.1", port, dir, maxRequestBytes: 65_536, maxConcurrentStreams: 100 }, ANSWER, material);
  const argv = nginxCommand(dir);
  const server = await startForeignServer({ name: `nginx-${mode}`, argv, port, readyTimeoutMs: 10_000 }, (a) => ({ file: a[0] as string, args: a.slice(1) }));
  onTestFinished(async () => {
    const tree = processTreeOf(server.pid);
    await server.stop();
    for (const pid of tree) expect(processTreeOf(pid)).toEqual([]);
  });
  return { port, pid: server.pid };
}

function postHttp1(port: number): Promise<{ status: number; body: Buffer; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: UNARY_PATH, headers: { "content-type": PROTOBUF_CONTENT_TYPE } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), connection: res.headers.connection }));
    });
    req.on("error", reject);
    req.end(REQUEST);
  });
}

function postHttp2(port: number, tls: boolean): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`${tls ? "https" : "http"}://127.0.0.1:${port}`, tls ? { ca: material.certPem, servername: "localhost" } : {});
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": UNARY_PATH, "content-type": PROTOBUF_CONTENT_TYPE });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      session.close();
      resolve({ status, body: Buffer.concat(chunks) });
    });
    stream.on("error", reject);
    stream.end(REQUEST);
  });
}

describe.skipIf(skip !== null)(`nginx started as a foreign server${skip === null ? "" : ` (skipped: ${skip})`}`, () => {
  it("answers the POST over HTTP/1.1 with the fixed body, its master and worker one tree", async () => {
    const { port, pid } = await startNginx("http1");
    const answer = await postHttp1(port);
    expect([answer.status, answer.body.equals(ANSWER), answer.connection]).toEqual([200, true, "keep-alive"]);
    expect(processTreeOf(pid).length).toBe(2);
  });

  it("closes the connection after each answer for http1-close", async () => {
    const { port } = await startNginx("http1-close");
    const answer = await postHttp1(port);
    expect([answer.status, answer.body.equals(ANSWER), answer.connection]).toEqual([200, true, "close"]);
  });

  it.each([
    ["h2c", false],
    ["h2", true],
  ] as const)("answers over %s", async (mode, tls) => {
    const { port } = await startNginx(mode);
    const answer = await postHttp2(port, tls);
    expect([answer.status, answer.body.equals(ANSWER)]).toEqual([200, true]);
  });
});

describe.skipIf(skip !== null)(`the nginx arms, as a scenario starts them and our clients drive them${skip === null ? "" : ` (skipped: ${skip})`}`, () => {
  const CASES = ARMS.filter((arm) => arm.server === "nginx").flatMap((arm) => arm.clients.map((kind): [Protocol, ClientKind] => [arm.name, kind]));

  it.each(CASES)("%s with the %s client: every answer checked, a wrong size caught, nothing left after the stop", async (protocol, kind) => {
    const server = await startArmServer(
      { protocol, host: "127.0.0.1", port: 0, requestBytes: 128, responseBytes: 1024, settings: DEFAULT_SERVER_SETTINGS, ...(usesTls(protocol) ? { tls: material } : {}) },
      (argv) => ({ file: argv[0] as string, args: argv.slice(1) }),
    );
    const tree = processTreeOf(server.pid);
    onTestFinished(async () => {
      await server.stop(1_000);
      for (const pid of tree) expect(processTreeOf(pid)).toEqual([]);
    });
    expect(server.foreign?.name).toBe("nginx");
    expect(server.foreign?.version).toMatch(/^nginx version: nginx\/\d+\.\d+\.\d+/);
    expect(server.foreign?.verified).toBe("status 200 and the fixed answer, sequence number 0 with a 1024-byte body, byte for byte; requests carry sequence number 0, since nginx cannot echo one");
    const clientFor = async (responseBytes: number): Promise<BenchClient> => {
      const client = await createClientOfKind(kind, {
        protocol, host: "127.0.0.1", port: server.port, connections: 2, streams: 4, requestBytes: 128, responseBytes, requestTimeoutMs: 5_000, caPem: material.certPem,
      });
      onTestFinished(() => client.close());
      return client;
    };
    const send = (client: BenchClient, seq: number): Promise<RequestFailure | null> => new Promise((resolve) => client.send(seq, resolve));
    const right = await clientFor(1024);
    await right.warmUp();
    expect(await Promise.all(Array.from({ length: 20 }, (_, i) => send(right, 1000 + i)))).toEqual(Array(20).fill(null));
    const expectingMore = await clientFor(2048);
    expect((await send(expectingMore, 1))?.kind).toBe("mismatch");
  });
});
