/**
 * A scripted HTTP/2 server over a raw `net` (or TLS, ALPN h2) socket, for what node:http2 and grpc-js never send:
 * RST_STREAM and GOAWAY where a test wants them, malformed frames, header blocks over CONTINUATION, padding, PINGs,
 * Trailers-Only answers, compressed messages. It sends its SETTINGS, acknowledges the client's, reads each request
 * — the body at END_STREAM for h2c/h2, each length-prefixed message for gRPC (several on one Bidi stream) — and lets
 * the test's script answer with frames; `answer` sends the right one. Frames are read with a few lines of its own,
 * not the client's decoder, so a bug there cannot hide here.
 */

import net from "node:net";
import tls from "node:tls";
import type { TlsMaterial } from "../../contract/index.ts";
import { encodeFrame, encodeSettings, encodeSettingsAck, Flag, FrameType } from "../../clients/wire/http2/frames.ts";
import { decodePayload, encodePayload, makeBody } from "../../proto/codec.ts";

const PREFACE_BYTES = 24;

export interface H2PeerOptions {
  /** Request and answer bodies are gRPC Length-Prefixed-Messages; `bidi`: several on one stream, which stays open. */
  readonly grpc: boolean;
  readonly bidi: boolean;
  readonly responseBytes: number;
  readonly tls?: TlsMaterial | undefined;
}

export interface H2PeerRequest {
  /** Which accepted connection carried it (0-based), its stream, and its seq. */
  readonly connection: number;
  readonly streamId: number;
  readonly seq: number;
}

export interface H2PeerConnection {
  send(...frames: Buffer[]): void;
  /** The answer a correct server gives `req`. */
  answer(req: H2PeerRequest): void;
  destroy(): void;
}

export type H2PeerScript = (req: H2PeerRequest, connection: H2PeerConnection) => void;

export interface RawHttp2Peer {
  readonly port: number;
  readonly requests: readonly H2PeerRequest[];
  readonly connections: number;
  close(): Promise<void>;
}

/** HPACK blocks (RFC 7541): `:status` from the static table or as a literal, fields as literals without indexing. */
export const hpack = {
  status: (code: number): Buffer => (code === 200 ? Buffer.from([0x88]) : Buffer.concat([Buffer.from([0x08, 3]), Buffer.from(String(code))])),
  field(name: string, value: string): Buffer {
    return Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
  },
};

export const GRPC_HEAD = Buffer.concat([hpack.status(200), hpack.field("content-type", "application/grpc")]);

export function grpcTrailers(status: number, message?: string): Buffer {
  return Buffer.concat([hpack.field("grpc-status", String(status)), message === undefined ? Buffer.alloc(0) : hpack.field("grpc-message", message)]);
}

export function headersFrame(streamId: number, block: Buffer, endStream: boolean): Buffer {
  return encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId, block);
}

export function dataFrame(streamId: number, payload: Buffer, endStream: boolean): Buffer {
  return encodeFrame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, payload);
}

/** The answer's DATA payload for `seq`: the encoded Payload, behind a gRPC prefix when `grpc`. */
export function answerBytes(seq: number, responseBytes: number, grpc: boolean): Buffer {
  const payload = encodePayload(seq, makeBody(responseBytes));
  if (!grpc) return payload;
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(payload.length, 1);
  return Buffer.concat([prefix, payload]);
}

interface StreamState {
  body: Buffer;
  answered: boolean;
}

/** Calls `onFrame` for each whole frame after the client preface. */
function readFrames(socket: net.Socket, onFrame: (type: number, flags: number, streamId: number, payload: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  let prefaceLeft = PREFACE_BYTES;
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const skip = Math.min(prefaceLeft, buffered.length);
    buffered = buffered.subarray(skip);
    prefaceLeft -= skip;
    while (buffered.length >= 9) {
      const length = buffered.readUIntBE(0, 3);
      if (buffered.length < 9 + length) break;
      onFrame(buffered[3] as number, buffered[4] as number, buffered.readUInt32BE(5) & 0x7fffffff, buffered.subarray(9, 9 + length));
      buffered = buffered.subarray(9 + length);
    }
  });
}

export async function startRawHttp2Peer(script: H2PeerScript, opts: H2PeerOptions): Promise<RawHttp2Peer> {
  const requests: H2PeerRequest[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;

  function serve(socket: net.Socket): void {
    const index = connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const streams = new Map<number, StreamState>();
    const connection: H2PeerConnection = {
      send: (...frames) => {
        if (!socket.destroyed) socket.write(Buffer.concat(frames));
      },
      answer(req) {
        const stream = streams.get(req.streamId);
        const frames: Buffer[] = [];
        if (stream !== undefined && !stream.answered) frames.push(headersFrame(req.streamId, opts.grpc ? GRPC_HEAD : hpack.status(200), false));
        if (stream !== undefined) stream.answered = true;
        frames.push(dataFrame(req.streamId, answerBytes(req.seq, opts.responseBytes, opts.grpc), !opts.grpc));
        if (opts.grpc && !opts.bidi) frames.push(headersFrame(req.streamId, grpcTrailers(0), true));
        connection.send(...frames);
      },
      destroy: () => socket.destroy(),
    };
    const request = (streamId: number, payload: Buffer): void => {
      const req = { connection: index, streamId, seq: decodePayload(payload).seq };
      requests.push(req);
      script(req, connection);
    };
    socket.write(encodeSettings([]));
    readFrames(socket, (type, flags, streamId, payload) => {
      if (type === FrameType.SETTINGS && (flags & Flag.ACK) === 0) connection.send(encodeSettingsAck());
      if (type === FrameType.HEADERS) streams.set(streamId, { body: Buffer.alloc(0), answered: false });
      const stream = streams.get(streamId);
      if (type !== FrameType.DATA || stream === undefined) return;
      stream.body = Buffer.concat([stream.body, payload]);
      if (!opts.grpc) {
        if ((flags & Flag.END_STREAM) !== 0) request(streamId, stream.body);
        return;
      }
      while (stream.body.length >= 5 && stream.body.length >= 5 + stream.body.readUInt32BE(1)) {
        const end = 5 + stream.body.readUInt32BE(1);
        const message = stream.body.subarray(5, end);
        stream.body = stream.body.subarray(end);
        request(streamId, message);
      }
    });
  }

  const server = opts.tls === undefined ? net.createServer(serve) : tls.createServer({ key: opts.tls.keyPem, cert: opts.tls.certPem, ALPNProtocols: ["h2"] }, serve);
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    port: address.port,
    requests,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
