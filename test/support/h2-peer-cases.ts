/**
 * Answers a real HTTP/2 or gRPC server may give and ours never do, from the raw peer (raw-http2-peer.ts), with what
 * every client of an arm must make of requests 1 and 2 (sent one after the other on one connection). The shape of
 * every peer case of test/clients/wire-conformance.test.ts (its HTTP/1.1 cases too), which takes the TLS material
 * for the h2 arm.
 */

import type { ClientKind, ErrorKind, TlsMaterial } from "../../contract/index.ts";
import { encodeFrame, encodeGoaway, encodePing, encodeRstStream, ErrorCode, Flag, FrameType } from "../../clients/wire/http2/frames.ts";
import { answerBytes, dataFrame, GRPC_HEAD, grpcTrailers, headersFrame, hpack, startRawHttp2Peer } from "./raw-http2-peer.ts";
import type { H2PeerOptions, H2PeerScript } from "./raw-http2-peer.ts";

export const PEER_RESPONSE_BYTES = 100;

export interface H2PeerCase {
  readonly name: string;
  /** Starts a peer on 127.0.0.1, port 0 (over TLS with ALPN h2 when given `tls`). */
  start(tls: TlsMaterial | undefined): Promise<{ readonly port: number; close(): Promise<void> }>;
  /** The outcome kinds of requests 1 and 2 (null: a verified answer). */
  readonly outcomes: readonly [ErrorKind | null, ErrorKind | null];
  /** Where a library client is known to differ, its outcomes and why (the wire clients never differ). */
  readonly except?: Partial<Record<ClientKind, { readonly outcomes: readonly [ErrorKind | null, ErrorKind | null]; readonly why: string }>>;
}

/** The outcomes `kind` must report for `peerCase`. */
export function outcomesFor(peerCase: H2PeerCase, kind: ClientKind): H2PeerCase["outcomes"] {
  return peerCase.except?.[kind]?.outcomes ?? peerCase.outcomes;
}

type Family = Pick<H2PeerOptions, "grpc" | "bidi">;

function peerCase(family: Family, name: string, script: H2PeerScript, outcomes: H2PeerCase["outcomes"], except?: H2PeerCase["except"]): H2PeerCase {
  return { name, start: (tls) => startRawHttp2Peer(script, { ...family, responseBytes: PEER_RESPONSE_BYTES, tls }), outcomes, ...(except ? { except } : {}) };
}

/** A padded DATA frame: pad length, data, `pad` zero bytes (RFC 9113 §6.1). */
function paddedData(streamId: number, payload: Buffer, pad: number, endStream: boolean): Buffer {
  const body = Buffer.concat([Buffer.from([pad]), payload, Buffer.alloc(pad)]);
  return encodeFrame(FrameType.DATA, Flag.PADDED | (endStream ? Flag.END_STREAM : 0), streamId, body);
}

/** RST_STREAM, GOAWAY and a malformed frame: every family's clients must count them alike. */
function breakages(family: Family): H2PeerCase[] {
  return [
    peerCase(
      family,
      "RST_STREAM instead of the first answer, then a good answer",
      (req, conn) => (req.seq === 1 ? conn.send(encodeRstStream(req.streamId, ErrorCode.INTERNAL_ERROR)) : conn.answer(req)),
      ["reset", null],
    ),
    peerCase(
      family,
      "GOAWAY that leaves out the first request's stream, then a good answer on a new connection",
      (req, conn) => (req.connection === 0 ? conn.send(encodeGoaway(Math.max(0, req.streamId - 2), ErrorCode.NO_ERROR, "draining")) : conn.answer(req)),
      ["reset", null],
    ),
    peerCase(
      family,
      "a malformed frame (a 3-byte WINDOW_UPDATE), then a good answer on a new connection",
      (req, conn) => (req.connection === 0 ? conn.send(Buffer.from("000003080000000000000001", "hex")) : conn.answer(req)),
      ["protocol", null],
      family.grpc
        ? {
            "grpc-js": {
              outcomes: ["reset", "reset"],
              why: "grpc-js reports any connection failure as UNAVAILABLE, and fails the next call while its channel backs off",
            },
          }
        : undefined,
    ),
  ];
}

const H2: Family = { grpc: false, bidi: false };
const GRPC: Family = { grpc: true, bidi: false };
const BIDI: Family = { grpc: true, bidi: true };

export const HTTP2_PEER_CASES: readonly H2PeerCase[] = [
  peerCase(
    H2,
    "a head over HEADERS and CONTINUATION, the body in padded DATA frames, and trailers",
    (req, conn) => {
      const body = answerBytes(req.seq, PEER_RESPONSE_BYTES, false);
      conn.send(
        encodeFrame(FrameType.HEADERS, 0, req.streamId, hpack.status(200)),
        encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, req.streamId, hpack.field("x-part", "two")),
        paddedData(req.streamId, body.subarray(0, 40), 7, false),
        paddedData(req.streamId, body.subarray(40), 0, false),
        headersFrame(req.streamId, hpack.field("x-trailer", "done"), true),
      );
    },
    [null, null],
  ),
  peerCase(
    H2,
    "a PING and an interim 103 before the answer",
    (req, conn) => {
      conn.send(encodePing(Buffer.from("0102030405060708", "hex"), false), headersFrame(req.streamId, hpack.status(103), false));
      conn.answer(req);
    },
    [null, null],
  ),
  peerCase(H2, "a 503 answer, then a good one", (req, conn) => (req.seq === 1 ? conn.send(headersFrame(req.streamId, hpack.status(503), true)) : conn.answer(req)), [
    "status",
    null,
  ]),
  ...breakages(H2),
];

export const GRPC_PEER_CASES: readonly H2PeerCase[] = [
  peerCase(
    GRPC,
    "the message split over two DATA frames with a PING between",
    (req, conn) => {
      const message = answerBytes(req.seq, PEER_RESPONSE_BYTES, true);
      conn.send(
        headersFrame(req.streamId, GRPC_HEAD, false),
        dataFrame(req.streamId, message.subarray(0, 3), false),
        encodePing(Buffer.alloc(8), false),
        dataFrame(req.streamId, message.subarray(3), false),
        headersFrame(req.streamId, grpcTrailers(0), true),
      );
    },
    [null, null],
  ),
  peerCase(
    GRPC,
    "a Trailers-Only answer with grpc-status 3, then a good one",
    (req, conn) => (req.seq === 1 ? conn.send(headersFrame(req.streamId, Buffer.concat([GRPC_HEAD, grpcTrailers(3, "bad%20seq")]), true)) : conn.answer(req)),
    ["status", null],
  ),
  ...breakages(GRPC),
];

export const GRPC_STREAM_PEER_CASES: readonly H2PeerCase[] = [
  peerCase(
    BIDI,
    "an answer split over two DATA frames",
    (req, conn) => {
      const message = answerBytes(req.seq, PEER_RESPONSE_BYTES, true);
      if (req.seq === 1) conn.send(headersFrame(req.streamId, GRPC_HEAD, false));
      conn.send(dataFrame(req.streamId, message.subarray(0, 50), false), dataFrame(req.streamId, message.subarray(50), false));
    },
    [null, null],
  ),
  peerCase(
    BIDI,
    "the call ended by grpc-status 14 instead of an answer, then a good answer on a new call",
    (req, conn) => (req.seq === 1 ? conn.send(headersFrame(req.streamId, Buffer.concat([GRPC_HEAD, grpcTrailers(14, "going away")]), true)) : conn.answer(req)),
    ["reset", null],
  ),
  ...breakages(BIDI),
];
