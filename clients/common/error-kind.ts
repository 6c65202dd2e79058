/**
 * Maps whatever a client library throws onto the fixed `ErrorKind` set, so error tables compare across protocols.
 *
 * Node, undici and http2 errors carry a string `code` and often wrap the real reason in `cause` (undici's fetch,
 * http2's ERR_HTTP2_STREAM_CANCEL), so the chain is walked outermost first and wrapper codes defer to their cause
 * (the approach of connect-es `node-error.ts`). grpc-js reports failures as status objects with a numeric `code`.
 */

import type { ErrorKind, RequestFailure } from "../../contract/index.ts";

/** grpc status codes used below (grpc/doc/statuscodes.md). */
const GRPC_OK = 0;
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_INTERNAL = 13;
const GRPC_UNAVAILABLE = 14;

/** How deep `cause` chains are followed; real chains are two or three long, and a cycle must not hang. */
const MAX_CHAIN_DEPTH = 8;

const CODE_KINDS: ReadonlyMap<string, ErrorKind> = new Map<string, ErrorKind>([
  // Could not open a connection.
  ["ECONNREFUSED", "connect"],
  ["EHOSTUNREACH", "connect"],
  ["ENETUNREACH", "connect"],
  ["EHOSTDOWN", "connect"],
  ["ENETDOWN", "connect"],
  ["EADDRNOTAVAIL", "connect"],
  ["ENOTFOUND", "connect"],
  ["EAI_AGAIN", "connect"],
  // A connect timeout means no connection was opened; "timeout" is kept for requests left unanswered.
  ["UND_ERR_CONNECT_TIMEOUT", "connect"],
  ["ERR_HTTP2_ERROR", "protocol"],
  // The connection or stream went away under the request.
  ["ECONNRESET", "reset"],
  ["ECONNABORTED", "reset"],
  ["EPIPE", "reset"],
  ["ERR_STREAM_PREMATURE_CLOSE", "reset"],
  ["ERR_STREAM_DESTROYED", "reset"],
  ["ERR_SOCKET_CLOSED", "reset"],
  ["ERR_HTTP2_STREAM_ERROR", "reset"],
  ["ERR_HTTP2_SESSION_ERROR", "reset"],
  ["ERR_HTTP2_GOAWAY_SESSION", "reset"],
  ["ERR_HTTP2_INVALID_SESSION", "reset"],
  ["ERR_HTTP2_INVALID_STREAM", "reset"],
  ["ERR_HTTP2_OUT_OF_STREAMS", "reset"],
  ["UND_ERR_SOCKET", "reset"],
  ["UND_ERR_CLOSED", "reset"],
  ["UND_ERR_DESTROYED", "reset"],
  ["UND_ERR_INFO", "reset"],
  // No answer in time.
  ["ETIMEDOUT", "timeout"],
  ["UND_ERR_HEADERS_TIMEOUT", "timeout"],
  ["UND_ERR_BODY_TIMEOUT", "timeout"],
  ["ERR_HTTP2_SESSION_TIMEOUT", "timeout"],
  // An answer that could not be parsed.
  ["UND_ERR_RES_CONTENT_LENGTH_MISMATCH", "protocol"],
  ["UND_ERR_HEADERS_OVERFLOW", "protocol"],
  ["UND_ERR_RES_EXCEEDED_MAX_SIZE", "protocol"],
  ["ERR_HTTP2_INVALID_HEADER_VALUE", "protocol"],
  ["ERR_HTTP2_INVALID_INFO_STATUS", "protocol"],
  ["ERR_HTTP2_STATUS_INVALID", "protocol"],
  ["ERR_HTTP2_HEADERS_AFTER_RESPOND", "protocol"],
  // An HTTP error status surfaced as an exception.
  ["UND_ERR_RESPONSE", "status"],
]);

/** Codes that only say "this was cancelled"; the reason, when there is one, is in `cause`. */
const WRAPPER_CODES: ReadonlySet<string> = new Set(["ERR_HTTP2_STREAM_CANCEL", "UND_ERR_ABORTED", "ABORT_ERR"]);

const CONNECT_DETAILS = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|No connection established|Failed to connect|handshake|certificate/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function kindOfTlsCode(code: string): ErrorKind | undefined {
  // Node's TLS verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT, …) and OpenSSL's.
  if (code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code.includes("CERT")) return "connect";
  if (code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || code === "UNABLE_TO_GET_ISSUER_CERT_LOCALLY") return "connect";
  return undefined;
}

/** A grpc-js status object: `{ code: number, details: string, metadata }` (ServiceError or StatusObject). */
function kindOfGrpcStatus(code: number, details: string): ErrorKind {
  switch (code) {
    case GRPC_OK:
      return "other";
    case GRPC_DEADLINE_EXCEEDED:
      return "timeout";
    case GRPC_CANCELLED:
      return "reset";
    case GRPC_UNAVAILABLE:
      return CONNECT_DETAILS.test(details) ? "connect" : "reset";
    case GRPC_INTERNAL:
      // grpc-js turns a stream reset into INTERNAL "Received RST_STREAM …" and a bad message into "… parse …".
      if (/RST_STREAM/i.test(details)) return "reset";
      if (/parse|deserializ/i.test(details)) return "protocol";
      return "status";
    default:
      return "status";
  }
}

function kindOf(err: unknown, depth: number): ErrorKind | undefined {
  if (!isObject(err) || depth > MAX_CHAIN_DEPTH) return undefined;
  const code = err["code"];
  const cause = err["cause"];
  if (typeof code === "number" && ("details" in err || "metadata" in err)) {
    return kindOfGrpcStatus(code, typeof err["details"] === "string" ? err["details"] : "");
  }
  if (typeof code === "string") {
    if (WRAPPER_CODES.has(code)) return kindOf(cause, depth + 1) ?? "reset";
    const known = CODE_KINDS.get(code) ?? kindOfTlsCode(code);
    if (known !== undefined) return known;
    if (code.startsWith("HPE_")) return "protocol"; // llhttp parse errors (undici HTTPParserError)
  }
  const name = err["name"];
  if (name === "TimeoutError") return "timeout";
  if (name === "PayloadDecodeError") return "protocol";
  // undici's llhttp errors carry no code: client-h1.js builds them with `constants.ERROR[ret]`, a name→number map
  // indexed by the number, so only the name says what they are.
  if (name === "HTTPParserError") return "protocol";
  const fromCause = kindOf(cause, depth + 1);
  if (fromCause !== undefined) return fromCause;
  // net's autoSelectFamily reports one failure per address in an AggregateError.
  const errors = err["errors"];
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const kind = kindOf(inner, depth + 1);
      if (kind !== undefined) return kind;
    }
  }
  if (name === "AbortError") return "reset";
  return undefined;
}

/** The `ErrorKind` an error belongs to; "other" when nothing in its `cause` chain is recognised. */
export function classifyError(err: unknown): ErrorKind {
  return kindOf(err, 0) ?? "other";
}

export function failure(kind: ErrorKind, message: string): RequestFailure {
  return { kind, message };
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (isObject(err) && typeof err["details"] === "string") return err["details"];
  return String(err);
}

/** A `RequestFailure` for a thrown or emitted error. */
export function failureFromError(err: unknown): RequestFailure {
  return { kind: classifyError(err), message: messageOf(err) };
}
