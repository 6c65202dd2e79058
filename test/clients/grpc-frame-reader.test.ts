import { describe, expect, it } from "vitest";
import { frameMessage, GrpcFrameError, GrpcFrameReader } from "../../clients/common/grpc-frames.ts";
import { unaryVerdict } from "../../clients/library/grpc/lean-call.ts";
import { statusFailure } from "../../clients/common/answer-verdict.ts";
import type { UnaryAnswer } from "../../clients/library/grpc/lean-call.ts";
import { classifyError } from "../../clients/common/error-kind.ts";
import { encodePayload, makeBody } from "../../proto/codec.ts";

function collect(reader: GrpcFrameReader, chunks: readonly Buffer[]): string[] {
  const seen: string[] = [];
  const sink = { message: (m: Buffer) => seen.push(m.toString("hex")) };
  for (const chunk of chunks) reader.push(chunk, sink);
  return seen;
}

const hex = (s: string): Buffer => Buffer.from(s.replaceAll(" ", ""), "hex");

describe("frameMessage", () => {
  it("puts a zero flag and the big-endian length before the message", () => {
    expect(frameMessage(hex("0801 1203 000102")).toString("hex")).toBe("0000000007" + "08011203000102");
    expect(frameMessage(new Uint8Array(0)).toString("hex")).toBe("0000000000");
    expect(frameMessage(new Uint8Array(300)).subarray(0, 5).toString("hex")).toBe("000000012c");
  });
});

describe("GrpcFrameReader", () => {
  it("hands on one whole message as it came", () => {
    const reader = new GrpcFrameReader();
    expect(collect(reader, [hex("00 00000003 aabbcc")])).toEqual(["aabbcc"]);
    expect(reader.buffered).toBe(0);
  });

  it("hands on two messages that arrive in one chunk, in order", () => {
    const reader = new GrpcFrameReader();
    expect(collect(reader, [hex("00 00000002 0102 00 00000001 ff")])).toEqual(["0102", "ff"]);
    expect(reader.buffered).toBe(0);
  });

  it("joins a message split inside its prefix and inside its body", () => {
    const reader = new GrpcFrameReader();
    const seen = collect(reader, [hex("00 0000"), hex("00 04 aa"), hex("bb"), hex("cc")]);
    expect(seen).toEqual([]);
    expect(reader.buffered).toBe(8);
    expect(collect(reader, [hex("dd")])).toEqual(["aabbccdd"]);
    expect(reader.buffered).toBe(0);
  });

  it("finishes one message and starts the next in the same chunk", () => {
    const reader = new GrpcFrameReader();
    expect(collect(reader, [hex("00 00000002 01"), hex("02 00 00000002 03"), hex("04 00")])).toEqual(["0102", "0304"]);
    expect(reader.buffered).toBe(1);
  });

  it("hands on an empty message", () => {
    expect(collect(new GrpcFrameReader(), [hex("00 00000000 00 00000001 07")])).toEqual(["", "07"]);
  });

  it("reads a real answer split byte by byte", () => {
    const framed = frameMessage(encodePayload(300, makeBody(1024)));
    const chunks = Array.from({ length: framed.length }, (_, i) => framed.subarray(i, i + 1));
    expect(collect(new GrpcFrameReader(), chunks)).toEqual([framed.subarray(5).toString("hex")]);
  });

  it("refuses a compressed message and an oversized length as protocol errors", () => {
    const sink = { message: () => {} };
    expect(() => new GrpcFrameReader().push(hex("01 00000001 aa"), sink)).toThrow(GrpcFrameError);
    expect(() => new GrpcFrameReader().push(hex("00 7fffffff"), sink)).toThrow(/above the \d+-byte limit/);
    try {
      new GrpcFrameReader().push(hex("01 00000001 aa"), sink);
    } catch (err) {
      expect(classifyError(err)).toBe("protocol");
    }
  });
});

describe("the lean client's verdict on a unary answer", () => {
  const answer = frameMessage(encodePayload(7, makeBody(16))).subarray(5);
  const ok: UnaryAnswer = { seq: 7, httpStatus: 200, grpcStatus: "0", grpcMessage: undefined, answer, extraMessages: 0, reader: null };

  it("accepts status 0 with one message carrying the seq and the body", () => {
    expect(unaryVerdict(ok, 16)).toBeNull();
  });

  it("counts a wrong seq or body size as a mismatch", () => {
    expect(unaryVerdict({ ...ok, seq: 8 }, 16)).toEqual({ kind: "mismatch", message: "sent seq 8, got seq 7 with a 16-byte body" });
    expect(unaryVerdict(ok, 17)?.kind).toBe("mismatch");
  });

  it("fails a call whose trailers never came, even with a good message", () => {
    expect(unaryVerdict({ ...ok, grpcStatus: undefined }, 16)).toEqual({ kind: "protocol", message: "the answer ended without a grpc-status" });
  });

  it("maps non-zero statuses as grpc-js statuses are mapped, with the percent-decoded message", () => {
    expect(unaryVerdict({ ...ok, grpcStatus: "3", grpcMessage: "request%20body%20of%2099%20bytes" }, 16)).toEqual({ kind: "status", message: "request body of 99 bytes" });
    expect(statusFailure("14", "Connection dropped")).toEqual({ kind: "reset", message: "Connection dropped" });
    expect(statusFailure("4", undefined)).toEqual({ kind: "timeout", message: "grpc-status 4" });
    expect(statusFailure("13", "Received RST_STREAM with code 2")?.kind).toBe("reset");
    expect(statusFailure("OK", undefined)).toEqual({ kind: "protocol", message: 'unreadable grpc-status "OK"' });
  });

  it("fails a non-200 HTTP status, a missing message, extra messages and a truncated one", () => {
    expect(unaryVerdict({ ...ok, httpStatus: 503 }, 16)).toEqual({ kind: "status", message: "HTTP status 503" });
    expect(unaryVerdict({ ...ok, answer: null }, 16)).toEqual({ kind: "protocol", message: "OK status without an answer" });
    expect(unaryVerdict({ ...ok, extraMessages: 1 }, 16)).toEqual({ kind: "protocol", message: "2 messages on a unary call" });
    expect(unaryVerdict({ ...ok, reader: { buffered: 3 } }, 16)).toEqual({ kind: "protocol", message: "the answer ended inside a message (3 bytes of it)" });
    expect(unaryVerdict({ ...ok, answer: hex("1a00") }, 16)?.kind).toBe("protocol");
  });
});
