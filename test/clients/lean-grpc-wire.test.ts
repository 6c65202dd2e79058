/**
 * The lean gRPC client against a scripted node:http2 server on a real socket: what it puts on the wire, and how it
 * reads answers split over DATA frames, several in one frame, non-zero statuses, missing trailers and resets.
 */
import http2 from "node:http2";
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { describe, expect, it, onTestFinished } from "vitest";
import type { BenchClient, Protocol, RequestFailure } from "../../contract/index.ts";
import { frameMessage, GrpcFrameReader } from "../../clients/common/grpc-frames.ts";
import { createLeanClient } from "../../clients/library/grpc/lean-client.ts";
import { decodePayload, encodePayload, makeBody } from "../../proto/codec.ts";

const REQUEST_BYTES = 10;
const RESPONSE_BYTES = 20;

interface Seen {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

type Script = (stream: ServerHttp2Stream, seqs: number[], seen: Seen) => void;

/** A server that collects each request stream's messages and, for unary calls at the end, runs `script`. */
async function scripted(onRequest: Script, onBidiMessages?: (stream: ServerHttp2Stream, seqs: number[]) => void): Promise<{ port: number; seen: Seen[] }> {
  const server = http2.createServer();
  const seen: Seen[] = [];
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    const chunks: Buffer[] = [];
    const seqs: number[] = [];
    const reader = new GrpcFrameReader();
    stream.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      reader.push(chunk, { message: (m) => seqs.push(decodePayload(m).seq) });
      onBidiMessages?.(stream, seqs);
    });
    stream.on("end", () => {
      const s = { headers, body: Buffer.concat(chunks) };
      seen.push(s);
      if (onBidiMessages === undefined) onRequest(stream, seqs, s);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as { port: number }).port, seen };
}

function answer(seq: number): Buffer {
  return frameMessage(encodePayload(seq, makeBody(RESPONSE_BYTES)));
}

const GRPC_HEADERS = { ":status": 200, "content-type": "application/grpc" };

/** Answers with `chunks` as separate DATA frames, a tick apart, then `trailers` (none when null). */
function respond(stream: ServerHttp2Stream, chunks: readonly Buffer[], trailers: Record<string, string> | null): void {
  stream.respond(GRPC_HEADERS, { waitForTrailers: trailers !== null });
  if (trailers !== null) stream.on("wantTrailers", () => stream.sendTrailers(trailers));
  let i = 0;
  const next = (): void => {
    if (i < chunks.length) {
      stream.write(chunks[i++]);
      setTimeout(next, 5);
    } else {
      stream.end();
    }
  };
  next();
}

async function client(protocol: Protocol, port: number, streams = 1): Promise<BenchClient> {
  const c = await createLeanClient({
    protocol, host: "127.0.0.1", port, connections: 1, streams, requestBytes: REQUEST_BYTES, responseBytes: RESPONSE_BYTES, requestTimeoutMs: 2_000,
  });
  onTestFinished(() => c.close());
  return c;
}

function send(c: BenchClient, seq: number): Promise<RequestFailure | null> {
  return new Promise((resolve) => c.send(seq, resolve));
}

describe("the lean gRPC client on the wire", () => {
  it("POSTs one framed message with gRPC headers to the Unary method", async () => {
    const { port, seen } = await scripted((stream, seqs) => respond(stream, [answer(seqs[0] ?? -1)], { "grpc-status": "0" }));
    const c = await client("grpc", port);
    expect(await send(c, 300)).toBeNull();
    const [request] = seen;
    expect(request?.headers[":method"]).toBe("POST");
    expect(request?.headers[":path"]).toBe("/wirecost.Bench/Unary");
    expect(request?.headers["content-type"]).toBe("application/grpc");
    expect(request?.headers["te"]).toBe("trailers");
    expect(request?.body.toString("hex")).toBe(frameMessage(encodePayload(300, makeBody(REQUEST_BYTES))).toString("hex"));
    expect(request?.body.length).toBe(5 + 2 + 2 + 1 + REQUEST_BYTES);
  });

  it("reads an answer split over three DATA frames, inside the prefix and the body", async () => {
    const { port } = await scripted((stream, seqs) => {
      const a = answer(seqs[0] ?? -1);
      respond(stream, [a.subarray(0, 3), a.subarray(3, 12), a.subarray(12)], { "grpc-status": "0" });
    });
    expect(await send(await client("grpc", port), 41)).toBeNull();
  });

  it("fails a call with grpc-status 5 in its trailers as a status error, message and all", async () => {
    const { port } = await scripted((stream, seqs) => respond(stream, [answer(seqs[0] ?? -1)], { "grpc-status": "5", "grpc-message": "no%20such%20thing" }));
    expect(await send(await client("grpc", port), 1)).toEqual({ kind: "status", message: "no such thing" });
  });

  it("fails a Trailers-Only answer with its status", async () => {
    const { port } = await scripted((stream) => {
      stream.respond({ ...GRPC_HEADERS, "grpc-status": "3", "grpc-message": "bad" }, { endStream: true });
    });
    expect(await send(await client("grpc", port), 1)).toEqual({ kind: "status", message: "bad" });
  });

  it("fails an answer whose stream ends without trailers, even with the right message", async () => {
    const { port } = await scripted((stream, seqs) => respond(stream, [answer(seqs[0] ?? -1)], null));
    expect(await send(await client("grpc", port), 2)).toEqual({ kind: "protocol", message: "the answer ended without a grpc-status" });
  });

  it("fails an answer that ends inside a message", async () => {
    const { port } = await scripted((stream, seqs) => respond(stream, [answer(seqs[0] ?? -1).subarray(0, 9)], { "grpc-status": "0" }));
    expect(await send(await client("grpc", port), 2)).toEqual({ kind: "protocol", message: "the answer ended inside a message (9 bytes of it)" });
  });

  it("fails a reset stream as a reset", async () => {
    const { port } = await scripted((stream) => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    expect((await send(await client("grpc", port), 3))?.kind).toBe("reset");
  });

  it("matches two Bidi answers that arrive in one DATA frame, out of order", async () => {
    const { port, seen } = await scripted(
      () => {},
      (stream, seqs) => {
        if (seqs.length !== 2) return;
        if (!stream.headersSent) stream.respond(GRPC_HEADERS, { waitForTrailers: true });
        stream.write(Buffer.concat([answer(seqs[1] as number), answer(seqs[0] as number)]));
      },
    );
    const c = await client("grpc-stream", port, 2);
    expect(await Promise.all([send(c, 10), send(c, 11)])).toEqual([null, null]);
    await c.close();
    expect(seen[0]?.headers[":path"]).toBe("/wirecost.Bench/Bidi");
    expect(seen[0]?.body.toString("hex")).toBe(Buffer.concat([frameMessage(encodePayload(10, makeBody(REQUEST_BYTES))), frameMessage(encodePayload(11, makeBody(REQUEST_BYTES)))]).toString("hex"));
  });

  it("fails what is pending on a Bidi call that ends with a non-zero status", async () => {
    const { port } = await scripted(
      () => {},
      (stream, seqs) => {
        if (seqs.length !== 1) return;
        stream.respond({ ...GRPC_HEADERS, "grpc-status": "8", "grpc-message": "exhausted" }, { endStream: true });
      },
    );
    const c = await client("grpc-stream", port);
    expect(await send(c, 1)).toEqual({ kind: "status", message: "exhausted" });
  });
});
