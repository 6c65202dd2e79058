/**
 * The wire-level HTTP/2 client for the `h2c` (prior knowledge) and `h2` (TLS, ALPN `h2`) arms: the library client's
 * semantics (clients/library/http2/client.ts) — status 200, the answer's seq and body checked — over our own frames
 * (session.ts) instead of node:http2, at a fraction of the CPU per request.
 */

import { armServedBy } from "../../../contract/index.ts";
import type { BenchClient, ClientOptions, RequestFailure } from "../../../contract/index.ts";
import { failure } from "../../common/error-kind.ts";
import { payloadVerdict } from "../../common/answer-verdict.ts";
import { checkClientOptions } from "../../common/outstanding.ts";
import { PROTOBUF_CONTENT_TYPE, UNARY_PATH } from "../../../proto/codec.ts";
import { UnaryWireClient } from "./unary-client.ts";
import type { UnaryRequest } from "./unary-request.ts";
import { requestHeaders } from "./wire-client.ts";

/** Judges an h2c/h2 answer: a status-200 response whose body is the payload for the seq sent. */
export function http2Verdict(req: UnaryRequest, responseBytes: number): RequestFailure | null {
  if (req.httpStatus === 0) return failure("protocol", "the stream ended without response headers");
  if (req.httpStatus !== 200) return failure("status", `HTTP status ${req.httpStatus}`);
  return payloadVerdict(req.seq, req.body(), responseBytes);
}

class Http2WireClient extends UnaryWireClient {
  protected override verdict(req: UnaryRequest): RequestFailure | null {
    return http2Verdict(req, this.responseBytes);
  }
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const { tls } = armServedBy(opts.protocol, "http2", "clients/wire/http2");
  if (tls && opts.caPem === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.caPem`);
  const headers = requestHeaders(opts, tls, UNARY_PATH, [["content-type", PROTOBUF_CONTENT_TYPE]]);
  return new Http2WireClient(opts, tls, headers, false);
}
