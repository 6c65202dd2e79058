/**
 * The wire clients sending a user server's request (contract/exchange.ts) to real servers over loopback sockets: the
 * server sees the entry's method, path, fields and body, byte for byte, and the client judges the answer by the
 * entry's status and body size — for HTTP/1.1, HTTP/2 and a gRPC method built from a .proto.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { grpcRequestFromProto } from "../../bench/config/grpc-request.ts";
import { createClientOfKind } from "../../clients/index.ts";
import type { BenchClient, Exchange, Protocol, RequestFailure } from "../../contract/index.ts";

const PROTO = fileURLToPath(new URL("../fixtures/user-servers/greeter.proto", import.meta.url));
const GREETER = fileURLToPath(new URL("../fixtures/user-servers/greeter-server.ts", import.meta.url));
const BODY = Buffer.from('{"name":"x"}');

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

const PUT: Exchange = {
  method: "PUT",
  path: "/v1/echo?x=1",
  headers: [
    ["content-type", "application/json"],
    ["x-trace", "on"],
  ],
  bodyBase64: BODY.toString("base64"),
  expect: { status: 201, bodyBytes: 12 },
};

function send(client: BenchClient, seq: number): Promise<RequestFailure | null> {
  return new Promise((resolve) => client.send(seq, resolve));
}

async function wireClient(protocol: Protocol, port: number, exchange: Exchange): Promise<BenchClient> {
  const client = await createClientOfKind("wire", {
    protocol,
    host: "127.0.0.1",
    port,
    connections: 1,
    streams: 4,
    requestBytes: 0,
    responseBytes: 0,
    requestTimeoutMs: 5_000,
    exchange,
  });
  onTestFinished(() => client.close());
  return client;
}

/** A server that records each request and answers 201 with 12 bytes. */
async function recordingServer(kind: "http1" | "h2c"): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const record = (req: http.IncomingMessage | http2.Http2ServerRequest, answer: () => void): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: { ...req.headers }, body: Buffer.concat(chunks).toString() });
      answer();
    });
  };
  const server =
    kind === "http1"
      ? http.createServer((req, res) => record(req, () => res.writeHead(201, { "content-type": "text/plain" }).end("hello, world")))
      : http2.createServer((req, res) => record(req, () => res.writeHead(201, { "content-type": "text/plain" }).end("hello, world")));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, seen };
}

/** greeter-server.ts on a free loopback port; stopped when the test finishes. */
async function startGreeter(): Promise<number> {
  const child = spawn(process.execPath, [GREETER, "127.0.0.1", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  onTestFinished(() => void child.kill());
  return new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      const m = /listening on (\d+)/.exec(c.toString());
      if (m !== null) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`greeter exited ${code}`)));
  });
}

/** A call of greeter.proto's `method` with `message`, built as a config entry's is. */
function call(message: Record<string, unknown>, bodyBytes: number | null, method = "demo.v1.Greeter/SayHello"): Exchange {
  const request = grpcRequestFromProto(PROTO, method, message, method.endsWith("/Chat") ? "bidi" : "unary");
  return { method: "POST", path: request.path, headers: [], bodyBase64: request.message.toString("base64"), expect: { status: 200, bodyBytes } };
}

describe("a user server's request from the wire clients", () => {
  it("HTTP/1.1: the entry's method, target, fields and body arrive as written, and the answer is judged by status and size", async () => {
    const { port, seen } = await recordingServer("http1");
    const client = await wireClient("http1", port, PUT);
    expect(await Promise.all([send(client, 1), send(client, 2)])).toEqual([null, null]);
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ["PUT", "/v1/echo?x=1", '{"name":"x"}'],
      ["PUT", "/v1/echo?x=1", '{"name":"x"}'],
    ]);
    expect(seen[0]?.headers).toEqual({ host: `127.0.0.1:${port}`, "content-type": "application/json", "x-trace": "on", "content-length": "12" });
    const wrongStatus = await wireClient("http1", port, { ...PUT, expect: { status: 200, bodyBytes: null } });
    expect(await send(wrongStatus, 3)).toEqual({ kind: "status", message: "HTTP status 201, expected 200" });
    const wrongSize = await wireClient("http1", port, { ...PUT, expect: { status: 201, bodyBytes: 13 } });
    expect(await send(wrongSize, 4)).toEqual({ kind: "mismatch", message: "a 12-byte body, expected 13 bytes" });
  });

  it("HTTP/1.1: a GET without a body says no content-length, and http1-close asks the server to close", async () => {
    const { port, seen } = await recordingServer("http1");
    const get: Exchange = { method: "GET", path: "/", headers: [], bodyBase64: "", expect: { status: 201, bodyBytes: null } };
    expect(await send(await wireClient("http1-close", port, get), 1)).toBeNull();
    expect(seen[0]).toEqual({ method: "GET", url: "/", headers: { host: `127.0.0.1:${port}`, connection: "close" }, body: "" });
  });

  it("HTTP/2: the same request in one stream, judged alike", async () => {
    const { port, seen } = await recordingServer("h2c");
    const client = await wireClient("h2c", port, PUT);
    expect(await Promise.all([send(client, 1), send(client, 2), send(client, 3)])).toEqual([null, null, null]);
    expect(seen.map((s) => [s.method, s.url, s.body, s.headers["content-type"], s.headers["x-trace"], s.headers[":authority"]])).toEqual(
      Array(3).fill(["PUT", "/v1/echo?x=1", '{"name":"x"}', "application/json", "on", `127.0.0.1:${port}`]),
    );
    const wrongSize = await wireClient("h2c", port, { ...PUT, expect: { status: 201, bodyBytes: 1 } });
    expect(await send(wrongSize, 4)).toEqual({ kind: "mismatch", message: "a 12-byte body, expected 1 bytes" });
  });

  it("gRPC: a call built from the .proto reaches the user's grpc-js server, which answers from its fields; its refusal is a failure", async () => {
    const port = await startGreeter();
    // HelloReply{message: "hello wirecost" × 3}: tag 0x0a, length 42, 42 bytes.
    const client = await wireClient("grpc", port, call({ name: "wirecost", times: 3 }, 44));
    expect(await Promise.all([send(client, 1), send(client, 2)])).toEqual([null, null]);
    const wrongSize = await wireClient("grpc", port, call({ name: "wirecost", times: 1 }, 44));
    expect(await send(wrongSize, 3)).toEqual({ kind: "mismatch", message: "a 16-byte message, expected 44 bytes" });
    const refused = await wireClient("grpc", port, call({ name: "" }, null));
    expect(await send(refused, 4)).toMatchObject({ message: "name is required" });
  });

  it("gRPC bidi: each request one message on one long-lived call, answers taken in order and judged by size", async () => {
    const port = await startGreeter();
    const client = await wireClient("grpc-stream", port, call({ name: "wirecost", times: 3 }, 44, "demo.v1.Greeter/Chat"));
    // Five on the one connection's call at once (streams 4: the fifth waits for an answer).
    expect(await Promise.all([1, 2, 3, 4, 5].map((seq) => send(client, seq)))).toEqual([null, null, null, null, null]);
    const wrongSize = await wireClient("grpc-stream", port, call({ name: "wirecost", times: 2 }, 44, "demo.v1.Greeter/Chat"));
    expect(await send(wrongSize, 6)).toEqual({ kind: "mismatch", message: "a 30-byte message, expected 44 bytes" });
  });

  it("only from the wire clients: a library client refuses an exchange rather than send the workload's payload", async () => {
    await expect(
      createClientOfKind("undici", { protocol: "http1", host: "127.0.0.1", port: 1, connections: 1, streams: 1, requestBytes: 0, responseBytes: 0, requestTimeoutMs: 1000, exchange: PUT }),
    ).rejects.toThrow("a user server's request is sent by the wire clients only, not undici");
  });
});
