import * as grpc from "@grpc/grpc-js";
import { errors } from "undici";
import { describe, expect, it } from "vitest";
import { classifyError, failure, failureFromError } from "../../clients/common/error-kind.ts";
import { PayloadDecodeError } from "../../proto/codec.ts";

/** undici's runtime signature (lib/core/errors.js); its .d.ts declares the generic UndiciError one. */
const ParserError = errors.HTTPParserError as unknown as new (message: string, code: string) => Error;

function nodeError(code: string, message = code, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

function grpcStatus(code: grpc.status, details: string): grpc.StatusObject {
  return { code, details, metadata: new grpc.Metadata() };
}

function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), grpcStatus(code, details));
}

describe("classifyError", () => {
  it.each([
    ["ECONNREFUSED", "connect"],
    ["EHOSTUNREACH", "connect"],
    ["ENETUNREACH", "connect"],
    ["EADDRNOTAVAIL", "connect"],
    ["ENOTFOUND", "connect"],
    ["ECONNRESET", "reset"],
    ["EPIPE", "reset"],
    ["ECONNABORTED", "reset"],
    ["ERR_STREAM_PREMATURE_CLOSE", "reset"],
    ["ERR_HTTP2_STREAM_ERROR", "reset"],
    ["ERR_HTTP2_SESSION_ERROR", "reset"],
    ["ERR_HTTP2_GOAWAY_SESSION", "reset"],
    ["ERR_HTTP2_INVALID_SESSION", "reset"],
    ["ETIMEDOUT", "timeout"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "connect"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "connect"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "connect"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "connect"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "connect"],
    ["HPE_INVALID_CONSTANT", "protocol"],
    ["ESOMETHINGELSE", "other"],
  ])("maps a Node error with code %s to %s", (code, kind) => {
    expect(classifyError(nodeError(code))).toBe(kind);
  });

  it.each([
    ["SocketError", new errors.SocketError("other side closed"), "reset"],
    ["ClientClosedError", new errors.ClientClosedError(), "reset"],
    ["ClientDestroyedError", new errors.ClientDestroyedError(), "reset"],
    ["InformationalError", new errors.InformationalError("aborted"), "reset"],
    ["HeadersTimeoutError", new errors.HeadersTimeoutError(), "timeout"],
    ["BodyTimeoutError", new errors.BodyTimeoutError(), "timeout"],
    ["ConnectTimeoutError", new errors.ConnectTimeoutError(), "connect"],
    ["RequestAbortedError", new errors.RequestAbortedError(), "reset"],
    ["HTTPParserError", new ParserError("Response does not match the HTTP/1.1 protocol", "INVALID_CONSTANT"), "protocol"],
    // As undici really makes it (lib/dispatcher/client-h1.js createError): without a code.
    ["HTTPParserError without a code", new ParserError("Response does not match the HTTP/1.1 protocol (Invalid character in chunk size)", undefined as unknown as string), "protocol"],
    ["ResponseContentLengthMismatchError", new errors.ResponseContentLengthMismatchError(), "protocol"],
    ["ResponseError", new errors.ResponseError("Bad Request", 400, { headers: {}, body: null }), "status"],
  ])("maps undici's %s", (_name, err, kind) => {
    expect(classifyError(err)).toBe(kind);
  });

  it("follows cause chains to the reason", () => {
    const refused = nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1");
    expect(classifyError(new TypeError("fetch failed", { cause: refused }))).toBe("connect");
    expect(classifyError(new Error("outer", { cause: new Error("middle", { cause: nodeError("ECONNRESET") }) }))).toBe("reset");
    expect(classifyError(new TypeError("fetch failed", { cause: new errors.HeadersTimeoutError() }))).toBe("timeout");
  });

  it("lets wrapper codes defer to their cause, and calls them reset when there is none", () => {
    const refused = nodeError("ECONNREFUSED");
    expect(classifyError(nodeError("ERR_HTTP2_STREAM_CANCEL", "The pending stream has been canceled", refused))).toBe("connect");
    expect(classifyError(nodeError("ERR_HTTP2_STREAM_CANCEL"))).toBe("reset");
    expect(classifyError(Object.assign(new errors.RequestAbortedError(), { cause: new errors.BodyTimeoutError() }))).toBe("timeout");
    expect(classifyError(nodeError("ABORT_ERR", "aborted", nodeError("ETIMEDOUT")))).toBe("timeout");
  });

  it("maps the outermost recognised code when several are chained", () => {
    expect(classifyError(Object.assign(new errors.SocketError("other side closed"), { cause: nodeError("ETIMEDOUT") }))).toBe("reset");
    expect(classifyError(nodeError("ECONNRESET", "read ECONNRESET", nodeError("ECONNREFUSED")))).toBe("reset");
  });

  it("looks inside an AggregateError from autoSelectFamily", () => {
    const err = new AggregateError([nodeError("ECONNREFUSED"), nodeError("ENETUNREACH")], "connect failed");
    expect(classifyError(err)).toBe("connect");
  });

  it("maps an AbortSignal timeout to timeout and an undescribed abort to reset", () => {
    expect(classifyError(new DOMException("The operation timed out", "TimeoutError"))).toBe("timeout");
    expect(classifyError(new DOMException("This operation was aborted", "AbortError"))).toBe("reset");
  });

  it("maps a payload that cannot be decoded to protocol", () => {
    expect(classifyError(new PayloadDecodeError("truncated varint"))).toBe("protocol");
  });

  it.each([
    [grpc.status.DEADLINE_EXCEEDED, "Deadline exceeded after 1.001s", "timeout"],
    [grpc.status.UNAVAILABLE, "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:5", "connect"],
    [grpc.status.UNAVAILABLE, "Connection dropped", "reset"],
    [grpc.status.UNAVAILABLE, "server shutting down", "reset"],
    [grpc.status.CANCELLED, "Cancelled on client", "reset"],
    [grpc.status.INTERNAL, "Received RST_STREAM with code 2 triggered by internal client error", "reset"],
    [grpc.status.INTERNAL, "Failed to parse server response", "protocol"],
    [grpc.status.INTERNAL, "boom", "status"],
    [grpc.status.INVALID_ARGUMENT, "request body of 5 bytes, expected 4", "status"],
    [grpc.status.RESOURCE_EXHAUSTED, "Received message larger than max", "status"],
    [grpc.status.UNIMPLEMENTED, "not here", "status"],
    [grpc.status.OK, "OK", "other"],
  ])("maps grpc status %i (%s) to %s", (code, details, kind) => {
    expect(classifyError(serviceError(code, details))).toBe(kind);
    expect(classifyError(grpcStatus(code, details))).toBe(kind);
  });

  it("gives up on a cause cycle instead of hanging", () => {
    const err: Error & { cause?: unknown } = new Error("loop");
    err.cause = err;
    expect(classifyError(err)).toBe("other");
  });

  it.each([[new Error("boom")], ["a string"], [null], [undefined], [42], [{ code: 42 }]])(
    "maps %j, which says nothing recognisable, to other",
    (err) => {
      expect(classifyError(err)).toBe("other");
    },
  );
});

describe("failure helpers", () => {
  it("builds a failure from a kind and a message", () => {
    expect(failure("mismatch", "sent seq 1, got seq 2")).toEqual({ kind: "mismatch", message: "sent seq 1, got seq 2" });
  });

  it("builds a failure from an error, with its message or grpc details", () => {
    expect(failureFromError(nodeError("EPIPE", "write EPIPE"))).toEqual({ kind: "reset", message: "write EPIPE" });
    expect(failureFromError(grpcStatus(grpc.status.INVALID_ARGUMENT, "too short"))).toEqual({ kind: "status", message: "too short" });
    expect(failureFromError("weird")).toEqual({ kind: "other", message: "weird" });
  });
});
