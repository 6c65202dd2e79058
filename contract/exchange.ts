/**
 * A request the harness did not design: a user's server (a `servers` entry of the config file, issue 12) gets the
 * request its entry describes, the same bytes every time, and its answers are judged by what the entry expects —
 * a status, and a body size when one is given — since a server we did not write cannot echo a sequence number.
 * Only the wire clients (clients/wire/) send one: they are the cheapest generator, and the one a foreign server
 * is measured with. Plain data, so it crosses to the generator child as JSON.
 */

export interface ExchangeExpectation {
  /** The HTTP status every answer must have; gRPC calls also need `grpc-status: 0`. */
  readonly status: number;
  /** The answer body's length in bytes (for gRPC: the one message's, without its 5-byte prefix); null: any. */
  readonly bodyBytes: number | null;
}

export interface Exchange {
  /** GET, POST …; gRPC calls are POST. */
  readonly method: string;
  /** The request target: `/v1/echo`, or a gRPC method's `/package.Service/Method`. */
  readonly path: string;
  /** Further header fields, names lower-case, in order; never a pseudo-header, host, content-length or connection. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body, base64 (for gRPC: the serialized message, which the client frames). Empty: no body. */
  readonly bodyBase64: string;
  readonly expect: ExchangeExpectation;
}
