import { describe, expect, it } from "vitest";
import { grpcUnaryVerdict } from "../../../clients/wire/grpc/verdict.ts";
import type { GrpcUnaryAnswer } from "../../../clients/wire/grpc/verdict.ts";
import { frameMessage } from "../../../clients/common/grpc-frames.ts";
import { encodePayload, makeBody } from "../../../proto/codec.ts";

const RESPONSE_BYTES = 20;
const GOOD = frameMessage(encodePayload(7, makeBody(RESPONSE_BYTES)));

function answer(overrides: Partial<Omit<GrpcUnaryAnswer, "body">> & { body?: Buffer }): GrpcUnaryAnswer {
  const body = overrides.body ?? GOOD;
  return { seq: 7, httpStatus: 200, grpcStatus: "0", grpcMessage: undefined, ...overrides, body: () => body };
}

describe("grpcUnaryVerdict", () => {
  it("accepts status 200, one message for the seq sent, and grpc-status 0", () => {
    expect(grpcUnaryVerdict(answer({}), RESPONSE_BYTES)).toBeNull();
  });

  it("fails a non-200 status, and an answer without response headers", () => {
    expect(grpcUnaryVerdict(answer({ httpStatus: 415 }), RESPONSE_BYTES)).toEqual({ kind: "status", message: "HTTP status 415" });
    expect(grpcUnaryVerdict(answer({ httpStatus: 0 }), RESPONSE_BYTES)?.kind).toBe("protocol");
  });

  it("classifies a non-zero grpc-status as grpc-js statuses are, Trailers-Only or not", () => {
    expect(grpcUnaryVerdict(answer({ grpcStatus: "3", grpcMessage: "bad%20seq", body: Buffer.alloc(0) }), RESPONSE_BYTES)).toEqual({ kind: "status", message: "bad seq" });
    expect(grpcUnaryVerdict(answer({ grpcStatus: "14", grpcMessage: "going away" }), RESPONSE_BYTES)?.kind).toBe("reset");
    expect(grpcUnaryVerdict(answer({ grpcStatus: "4" }), RESPONSE_BYTES)?.kind).toBe("timeout");
    expect(grpcUnaryVerdict(answer({ grpcStatus: undefined }), RESPONSE_BYTES)).toEqual({ kind: "protocol", message: "the answer ended without a grpc-status" });
  });

  it("fails an OK status without exactly one uncompressed message", () => {
    const cases: [Buffer, string][] = [
      [Buffer.alloc(0), "OK status without an answer"],
      [GOOD.subarray(0, 4), "the answer ended inside a message (4 bytes of it)"],
      [GOOD.subarray(0, GOOD.length - 1), `the answer ended inside a message (${GOOD.length - 1} bytes of it)`],
      [Buffer.concat([GOOD, GOOD]), "more than one message on a unary call"],
      [Buffer.concat([Buffer.from([1]), GOOD.subarray(1)]), "compressed flag 1 on a message, but no grpc-encoding was negotiated"],
    ];
    for (const [body, message] of cases) expect(grpcUnaryVerdict(answer({ body }), RESPONSE_BYTES)).toEqual({ kind: "protocol", message });
  });

  it("checks the message's seq and body", () => {
    expect(grpcUnaryVerdict(answer({ seq: 8 }), RESPONSE_BYTES)).toEqual({ kind: "mismatch", message: "sent seq 8, got seq 7 with a 20-byte body" });
    expect(grpcUnaryVerdict(answer({}), RESPONSE_BYTES + 1)?.kind).toBe("mismatch");
    expect(grpcUnaryVerdict(answer({ body: frameMessage(Buffer.from([0x1a, 0x00])) }), RESPONSE_BYTES)?.kind).toBe("protocol");
  });
});
