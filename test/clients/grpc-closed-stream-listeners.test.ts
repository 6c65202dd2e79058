import http2 from "node:http2";
import type { ClientHttp2Session, ClientHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { releaseClosedGrpcStreams } from "../../clients/library/grpc/release-closed-streams.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connectToAnsweringServer(): Promise<ClientHttp2Session> {
  const server = http2.createServer();
  server.on("stream", (stream) => {
    stream.resume();
    stream.on("end", () => stream.respond({ ":status": 200 }, { endStream: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  cleanups.push(() => new Promise((resolve) => session.close(() => resolve())));
  return session;
}

/** Sends one request, listening the way grpc-js does, and resolves one turn after the stream's 'close'. */
async function requestAndClose(session: ClientHttp2Session, contentType: string): Promise<ClientHttp2Stream> {
  const stream = session.request({ ":method": "POST", ":path": "/wirecost.Bench/Unary", "content-type": contentType });
  const closed = new Promise<void>((resolve) => stream.on("close", () => resolve()));
  stream.on("response", () => {});
  stream.on("data", () => {});
  stream.on("error", () => {});
  stream.end();
  await closed;
  await nextTurn();
  return stream;
}

describe("releaseClosedGrpcStreams", () => {
  it("drops every listener of a gRPC stream one turn after it closed, and leaves other streams alone", async () => {
    releaseClosedGrpcStreams();
    releaseClosedGrpcStreams(); // idempotent: one subscription
    const session = await connectToAnsweringServer();

    const grpcStream = await requestAndClose(session, "application/grpc");
    expect(grpcStream.eventNames()).toEqual([]);

    const otherStream = await requestAndClose(session, "application/x-protobuf");
    expect(otherStream.listenerCount("data")).toBe(1);
    expect(otherStream.listenerCount("close")).toBe(1);
  });
});
