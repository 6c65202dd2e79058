/**
 * The head of an HTTP/1.1 response — status line and field lines (RFC 9112 §4, §5) — read from bytes without
 * making strings. The client needs the status and the three fields that frame the body and the connection
 * (content-length, transfer-encoding, connection); every other field is skipped once its name is checked.
 */

import { assertNever } from "../../../contract/index.ts";

/** A response this client cannot read: the request fails as `protocol` and the connection is closed. */
export class ResponseParseError extends Error {
  override readonly name = "ResponseParseError";
}

/** What the parser needs of a head: one object per parser, overwritten by every head (no allocation per response). */
export interface ResponseHead {
  status: number;
  /** An HTTP/1.0 answer: not persistent unless it says keep-alive (RFC 9112 §9.3, Appendix C.2.2). */
  http10: boolean;
  /** The body length content-length gives; -1 without the field. */
  contentLength: number;
  /** `transfer-encoding: chunked` (RFC 9112 §7.1). */
  chunked: boolean;
  /** The `close` connection option (RFC 9112 §9.6). */
  close: boolean;
  /** The `keep-alive` connection option, which only an HTTP/1.0 answer needs. */
  keepAlive: boolean;
}

export function emptyHead(): ResponseHead {
  return { status: 0, http10: false, contentLength: -1, chunked: false, close: false, keepAlive: false };
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const COMMA = 0x2c;
const DIGIT_0 = 0x30;

/** The fields this client reads; any other name is `"other"`. */
type Field = "content-length" | "transfer-encoding" | "connection" | "other";

const KNOWN: readonly { readonly field: Field; readonly name: Buffer }[] = (["content-length", "transfer-encoding", "connection"] as const).map(
  (field) => ({ field, name: Buffer.from(field, "latin1") }),
);
const CHUNKED = Buffer.from("chunked", "latin1");
const CLOSE = Buffer.from("close", "latin1");
const KEEP_ALIVE = Buffer.from("keep-alive", "latin1");
const HTTP_1 = Buffer.from("HTTP/1.", "latin1");

/** tchar (RFC 9110 §5.6.2): the bytes a field name may hold. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= DIGIT_0 && b <= DIGIT_0 + 9;
}

/** Whether buf[start, end) is `lower` ignoring ASCII case (field names and list tokens are case-insensitive, RFC 9110 §5.1). */
function equalsIgnoringCase(buf: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let b = buf[start + i] as number;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    if (b !== lower[i]) return false;
  }
  return true;
}

/**
 * Whether the first bytes of a head that has not fully arrived can still start a status line: lets garbage fail
 * at once rather than after the header-size limit or the request timeout.
 */
export function couldStartStatusLine(buf: Uint8Array, start: number, end: number): boolean {
  const n = Math.min(end - start, HTTP_1.length);
  for (let i = 0; i < n; i++) if (buf[start + i] !== HTTP_1[i]) return false;
  return true;
}

/** The index of the CR that ends the line starting at `start`; lines end in CRLF (RFC 9112 §2.2: a bare LF is refused). */
function lineEnd(buf: Buffer, start: number, end: number): number {
  const lf = buf.indexOf(LF, start);
  if (lf === -1 || lf >= end || lf === start || buf[lf - 1] !== CR) throw new ResponseParseError("a line of the response head does not end in CRLF");
  return lf - 1;
}

/** status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4); the reason is ignored. */
function readStatusLine(buf: Buffer, start: number, end: number, head: ResponseHead): void {
  const s = start + HTTP_1.length;
  // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (§2.3); a later 1.x is read as 1.1.
  if (end - start < 12 || !couldStartStatusLine(buf, start, s) || !isDigit(buf[s]) || buf[s + 1] !== SP) {
    throw new ResponseParseError("the response does not start with an HTTP/1.x status line");
  }
  head.http10 = buf[s] === DIGIT_0;
  const a = buf[s + 2];
  const b = buf[s + 3];
  const c = buf[s + 4];
  // Some servers drop the SP before an empty reason; llhttp accepts that too.
  if (!isDigit(a) || !isDigit(b) || !isDigit(c) || (end > s + 5 && buf[s + 5] !== SP)) {
    throw new ResponseParseError("the status code is not three digits");
  }
  const status = ((a as number) - DIGIT_0) * 100 + ((b as number) - DIGIT_0) * 10 + ((c as number) - DIGIT_0);
  // RFC 9110 §15: status codes run from 100 to 599.
  if (status < 100 || status > 599) throw new ResponseParseError(`status code ${status} is outside 100–599`);
  head.status = status;
}

/** One element of a list-valued field (RFC 9110 §5.6.1), buf[start, end) without its surrounding whitespace. */
function readElement(field: Field, buf: Buffer, start: number, end: number, head: ResponseHead): void {
  switch (field) {
    case "content-length": {
      // Content-Length = 1*DIGIT (RFC 9110 §8.6); a list of one repeated value may be accepted as that value.
      let value = 0;
      for (let i = start; i < end; i++) {
        const d = buf[i];
        if (!isDigit(d) || i - start >= 15) throw new ResponseParseError("content-length is not a number");
        value = value * 10 + (d as number) - DIGIT_0;
      }
      // Differing lengths leave the framing unknowable (RFC 9112 §6.3 rule 5).
      if (head.contentLength !== -1 && head.contentLength !== value) {
        throw new ResponseParseError(`conflicting content-length values ${head.contentLength} and ${value}`);
      }
      head.contentLength = value;
      return;
    }
    case "transfer-encoding":
      // The client sends no TE, so chunked is the only coding a server may apply (RFC 9112 §7.4), and only once (§6.1).
      if (!equalsIgnoringCase(buf, start, end, CHUNKED)) {
        throw new ResponseParseError(`transfer coding ${buf.toString("latin1", start, end)} was not asked for`);
      }
      if (head.chunked) throw new ResponseParseError("chunked is applied twice");
      head.chunked = true;
      return;
    case "connection":
      if (equalsIgnoringCase(buf, start, end, CLOSE)) head.close = true;
      else if (equalsIgnoringCase(buf, start, end, KEEP_ALIVE)) head.keepAlive = true;
      return;
    case "other":
      return;
    default:
      assertNever(field);
  }
}

/** Reads the list elements of a field value; returns how many there were (empty elements do not count). */
function readValue(field: Field, buf: Buffer, start: number, end: number, head: ResponseHead): number {
  if (field === "other") return 0;
  let elements = 0;
  let p = start;
  while (p < end) {
    const b = buf[p];
    if (b === SP || b === HTAB || b === COMMA) {
      p++;
      continue;
    }
    let q = p;
    while (q < end && buf[q] !== COMMA) q++;
    let last = q;
    while (buf[last - 1] === SP || buf[last - 1] === HTAB) last--;
    readElement(field, buf, p, last, head);
    elements++;
    p = q;
  }
  return elements;
}

function fieldOf(buf: Buffer, start: number, end: number): Field {
  for (const known of KNOWN) if (equalsIgnoringCase(buf, start, end, known.name)) return known.field;
  return "other";
}

/**
 * Reads the head in buf[start, end), where `end` is just past the CRLF of its last line (the empty line that ends
 * the head is not included), into `head`. Throws `ResponseParseError` on anything malformed.
 */
export function readHead(buf: Buffer, start: number, end: number, head: ResponseHead): void {
  head.contentLength = -1;
  head.chunked = false;
  head.close = false;
  head.keepAlive = false;
  let cr = lineEnd(buf, start, end);
  readStatusLine(buf, start, cr, head);
  let field: Field | null = null;
  for (let p = cr + 2; p < end; p = cr + 2) {
    cr = lineEnd(buf, p, end);
    if (buf[p] === SP || buf[p] === HTAB) {
      // obs-fold continues the previous field; read as more of its list, as replacing the fold by SP would (§5.2).
      // Whitespace before the first field is refused (§2.2).
      if (field === null) throw new ResponseParseError("whitespace between the status line and the first field");
      readValue(field, buf, p, cr, head);
      continue;
    }
    let colon = p;
    while (colon < cr && TCHAR[buf[colon] as number] === 1) colon++;
    // field-line = field-name ":" OWS field-value OWS, no whitespace before the colon (RFC 9112 §5.1).
    if (colon === p || buf[colon] !== COLON) throw new ResponseParseError("a field line without a valid name and colon");
    field = fieldOf(buf, p, colon);
    if (readValue(field, buf, colon + 1, cr, head) === 0 && field !== "connection" && field !== "other") {
      throw new ResponseParseError(`${field} without a value`);
    }
  }
}
