/**
 * The HTTP/1.1 request, encoded once per client: only the sequence number differs between requests.
 *
 * The payload is `0x08 <varint seq> 0x12 <varint len> <body>` (proto/codec.ts), so everything after the seq — the
 * tail — is the same for every request and is shared by every write (never written to after construction). The
 * seq's varint is 1 to 8 bytes, which changes the content-length, so there is one pre-encoded head per varint
 * length. A request is then one copy of a head, the seq patched in after it, and the tail: copied into the same
 * buffer when small, or written after it (one writev under cork) when large.
 */

import type { Exchange } from "../../../contract/index.ts";
import { encodePayload, makeBody, PROTOBUF_CONTENT_TYPE, UNARY_PATH, varintLength, writeVarint } from "../../../proto/codec.ts";

/** Longest seq varint: a safe integer (< 2^53) needs 8 bytes of 7 bits. */
const MAX_SEQ_VARINT_BYTES = 8;

/**
 * `Buffer.allocUnsafe` slices Node's shared pool for sizes below half of `Buffer.poolSize` (32 KiB of 64 KiB in
 * Node 24) instead of allocating a new ArrayBuffer: a request up to that size is one cheap buffer, and copying the
 * tail into it costs less than a second chunk in the write; a longer one leaves the tail shared.
 */
const INLINE_MAX_BYTES = Buffer.poolSize >>> 1;

/** What a connection writes for a request: `encode(seq)`, then `tail` unless `inline`. */
export interface RequestBytes {
  readonly tail: Buffer;
  readonly inline: boolean;
  encode(seq: number): Buffer;
}

export interface RequestTemplateOptions {
  /** The authority for the host field (RFC 9112 §3.2), `host:port` with IPv6 literals in brackets. */
  readonly authority: string;
  readonly requestBytes: number;
  /** Send `connection: close`, so the server closes after answering (RFC 9112 §9.6). */
  readonly close: boolean;
}

export class RequestTemplate implements RequestBytes {
  /** The payload after the seq: `0x12 <varint len> <body>`. Shared by every request: never written to. */
  readonly tail: Buffer;
  /** `heads[n - 1]`: request line and fields for a seq varint of `n` bytes, then the payload's first tag (0x08). */
  readonly #heads: readonly Buffer[];
  /** Whether `encode` copies the tail into each request's buffer (see INLINE_MAX_BYTES). */
  readonly inline: boolean;

  constructor(opts: RequestTemplateOptions) {
    // encodePayload(0, body) is 0x08 0x00 then the tail; the codec stays the one place that lays the payload out.
    this.tail = encodePayload(0, makeBody(opts.requestBytes)).subarray(2);
    const heads: Buffer[] = [];
    for (let n = 1; n <= MAX_SEQ_VARINT_BYTES; n++) {
      // RFC 9112 §3: request-line; §3.2: host is required; RFC 9110 §8.6: content-length frames the body.
      const text =
        `POST ${UNARY_PATH} HTTP/1.1\r\n` +
        `host: ${opts.authority}\r\n` +
        `content-type: ${PROTOBUF_CONTENT_TYPE}\r\n` +
        `content-length: ${1 + n + this.tail.length}\r\n` +
        (opts.close ? "connection: close\r\n" : "") +
        "\r\n";
      heads.push(Buffer.concat([Buffer.from(text, "latin1"), Buffer.of(0x08)]));
    }
    this.#heads = heads;
    this.inline = (heads[heads.length - 1] as Buffer).length + MAX_SEQ_VARINT_BYTES + this.tail.length < INLINE_MAX_BYTES;
  }

  /**
   * The request for `seq` in a new buffer: the whole request when `inline`, else everything up to and including the
   * seq, for the caller to write `tail` after. `seq` is a safe non-negative integer (checked by the caller).
   */
  encode(seq: number): Buffer {
    const n = varintLength(seq);
    const head = this.#heads[n - 1] as Buffer;
    const tail = this.inline ? this.tail.length : 0;
    const out = Buffer.allocUnsafe(head.length + n + tail);
    head.copy(out, 0);
    const end = writeVarint(out, head.length, seq);
    if (tail > 0) this.tail.copy(out, end);
    return out;
  }
}

/**
 * A user server's request (contract/exchange.ts): the same bytes for every request, encoded once and shared by every
 * write (never written to). A body is framed by content-length (RFC 9110 §8.6); without one, a method that usually
 * carries a body still says `content-length: 0`, so the server does not wait for one (RFC 9110 §8.6).
 */
export class FixedRequest implements RequestBytes {
  readonly tail: Buffer = Buffer.alloc(0);
  readonly inline = true;
  readonly #bytes: Buffer;

  constructor(exchange: Exchange, body: Buffer, authority: string, close: boolean) {
    const framed = body.length > 0 || !BODILESS_METHODS.has(exchange.method);
    const text =
      `${exchange.method} ${exchange.path} HTTP/1.1\r\n` +
      `host: ${authority}\r\n` +
      exchange.headers.map(([name, value]) => `${name}: ${value}\r\n`).join("") +
      (framed ? `content-length: ${body.length}\r\n` : "") +
      (close ? "connection: close\r\n" : "") +
      "\r\n";
    this.#bytes = Buffer.concat([Buffer.from(text, "latin1"), body]);
  }

  encode(_seq: number): Buffer {
    return this.#bytes;
  }
}

/** Methods whose requests carry no body unless given one (RFC 9110 §9.3). */
const BODILESS_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);
