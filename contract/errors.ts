/**
 * The fixed set of ways a request can fail. Every protocol maps its errors onto these, so error tables compare
 * across protocols (clients/common/error-kind.ts maps Node errors by walking `cause`).
 */
export const ERROR_KINDS = [
  "refused", // the generator's in-flight cap refused to send it
  "connect", // could not open a connection (ECONNREFUSED, EHOSTUNREACH, TLS handshake …)
  "reset", // the connection or stream was reset or closed under the request
  "timeout", // no answer within the request timeout, or still outstanding when the drain ended
  "status", // a non-2xx HTTP status or a non-OK gRPC status
  "mismatch", // an answer with the wrong sequence number or body
  "protocol", // an answer that could not be parsed
  "other",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface RequestFailure {
  readonly kind: ErrorKind;
  readonly message: string;
}

/** Called exactly once per `send`: `null` on a verified answer. */
export type SendCallback = (failure: RequestFailure | null) => void;
