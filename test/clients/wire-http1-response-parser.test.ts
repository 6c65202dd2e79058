import { describe, expect, it } from "vitest";
import { MAX_HEAD_BYTES, ResponseParseError, ResponseParser } from "../../clients/wire/http1/response-parser.ts";

interface Seen {
  readonly status: number;
  readonly body: string;
  readonly keepAlive: boolean;
}

function setup(maxBodyBytes = 1 << 20): { parser: ResponseParser; seen: Seen[]; views: Uint8Array[] } {
  const seen: Seen[] = [];
  const views: Uint8Array[] = [];
  const parser = new ResponseParser(
    {
      onResponse(status, body, keepAlive) {
        views.push(body);
        seen.push({ status, body: Buffer.from(body).toString("latin1"), keepAlive });
      },
    },
    maxBodyBytes,
  );
  return { parser, seen, views };
}

/** The responses `chunks` complete, pushed in order as separate reads. */
function parse(chunks: readonly string[], maxBodyBytes?: number): Seen[] {
  const { parser, seen } = setup(maxBodyBytes);
  for (const chunk of chunks) parser.push(Buffer.from(chunk, "latin1"));
  return seen;
}

function parseError(text: string, maxBodyBytes?: number): string {
  try {
    parse([text], maxBodyBytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ResponseParseError);
    return (err as Error).message;
  }
  throw new Error("no ResponseParseError");
}

const ok = (body: string, keepAlive = true): Seen => ({ status: 200, body, keepAlive });

const LENGTH = "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 5\r\n\r\nhello";
const CHUNKED =
  "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" +
  '5;name=value;q="a b"\r\nhello\r\n6 ; ext\r\n world\r\n0;last\r\nX-Checksum: 1\r\nX-Other: two\r\n\r\n';
const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";
const NO_CONTENT = "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n";
const EMPTY = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n";
/** Four responses back to back, one with an interim 100 before it. */
const STREAM = LENGTH + CONTINUE + CHUNKED + NO_CONTENT + EMPTY;
const STREAM_SEEN: readonly Seen[] = [ok("hello"), ok("hello world"), { status: 204, body: "", keepAlive: true }, { status: 404, body: "", keepAlive: true }];

describe("ResponseParser, bytes split and coalesced", () => {
  it("reads a response with a content-length from one read, handing on a view of that read", () => {
    const { parser, seen, views } = setup();
    const chunk = Buffer.from(LENGTH, "latin1");
    parser.push(chunk);
    expect(seen).toEqual([ok("hello")]);
    expect(views[0]?.buffer).toBe(chunk.buffer);
    expect(parser.midResponse).toBe(false);
  });

  it("reads the same responses whatever byte the stream is split at across two reads", () => {
    for (let i = 0; i <= STREAM.length; i++) {
      expect(parse([STREAM.slice(0, i), STREAM.slice(i)]), `split at ${i}`).toEqual(STREAM_SEEN);
    }
  });

  it("reads the same responses fed one byte per read", () => {
    expect(parse([...STREAM])).toEqual(STREAM_SEEN);
  });

  it("reads three responses coalesced in one read, in order", () => {
    const three = LENGTH + LENGTH.replace("hello", "world") + EMPTY;
    expect(parse([three])).toEqual([ok("hello"), ok("world"), { status: 404, body: "", keepAlive: true }]);
  });

  it("assembles a 100 000-byte body that arrives in reads of 7 000 bytes", () => {
    const body = "x".repeat(100_000);
    const text = `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const chunks = Array.from({ length: Math.ceil(text.length / 7_000) }, (_, i) => text.slice(i * 7_000, (i + 1) * 7_000));
    expect(parse(chunks)).toEqual([ok(body)]);
  });

  it("completes a content-length 0 response at the end of its head, with nothing more to read", () => {
    const { parser, seen } = setup();
    parser.push(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "latin1"));
    expect(seen).toEqual([ok("")]);
    expect(parser.midResponse).toBe(false);
  });
});

describe("ResponseParser, framing and persistence (RFC 9112 §6.3, §9.3)", () => {
  it("decodes chunks with extensions and skips trailer fields", () => {
    expect(parse([CHUNKED])).toEqual([ok("hello world")]);
    expect(parse(["HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n00\r\n\r\n"])).toEqual([ok("0123456789")]);
  });

  it("skips a 100 Continue and a 103 Early Hints with fields before the answer", () => {
    expect(parse([CONTINUE + "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + LENGTH])).toEqual([ok("hello")]);
  });

  it("reads field names in any case", () => {
    expect(parse(["HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 2\r\nCoNnEcTiOn: Close\r\n\r\nhi"])).toEqual([ok("hi", false)]);
  });

  it("accepts a content-length repeated with the same value, in a list or on two lines", () => {
    expect(parse(["HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi"])).toEqual([ok("hi")]);
    expect(parse(["HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nhi"])).toEqual([ok("hi")]);
  });

  it("ends keep-alive on connection: close and ignores whatever follows", () => {
    expect(parse([LENGTH.replace("\r\n\r\n", "\r\nConnection: upgrade, close\r\n\r\n") + "garbage"])).toEqual([ok("hello", false)]);
  });

  it("keeps an HTTP/1.0 connection only when the answer says keep-alive", () => {
    expect(parse([LENGTH.replace("HTTP/1.1", "HTTP/1.0")])).toEqual([ok("hello", false)]);
    expect(parse([LENGTH.replace("HTTP/1.1", "HTTP/1.0").replace("\r\n\r\n", "\r\nConnection: Keep-Alive\r\n\r\n")])).toEqual([ok("hello")]);
    expect(parse([LENGTH.replace("HTTP/1.1", "HTTP/1.9")])).toEqual([ok("hello")]);
  });

  it("reads an obs-folded connection field as more of its list (RFC 9112 §5.2)", () => {
    expect(parse(["HTTP/1.1 200 OK\r\nConnection: keep-alive,\r\n close\r\nContent-Length: 0\r\n\r\n"])).toEqual([ok("", false)]);
  });

  it("reads a body without content-length or chunking up to the close", () => {
    const { parser, seen } = setup();
    parser.push(Buffer.from("HTTP/1.1 200 OK\r\n\r\nhel", "latin1"));
    parser.push(Buffer.from("lo", "latin1"));
    expect(seen).toEqual([]);
    expect(parser.end()).toBe("clean");
    expect(seen).toEqual([ok("hello", false)]);
  });

  it("tells a close between responses from one inside a head or a body", () => {
    const cases: readonly [string, string][] = [
      ["", "clean"],
      [LENGTH, "clean"],
      ["HTTP/1.1 2", "truncated"],
      [LENGTH.slice(0, -1), "truncated"],
      [CHUNKED.slice(0, -2), "truncated"],
    ];
    for (const [text, verdict] of cases) {
      const { parser } = setup();
      parser.push(Buffer.from(text, "latin1"));
      expect(parser.end(), JSON.stringify(text)).toBe(verdict);
    }
  });
});

describe("ResponseParser, malformed responses", () => {
  it("refuses a status line that is not HTTP/1.x with a three-digit code", () => {
    expect(parseError("HTTP/2 200 OK\r\n\r\n")).toBe("the response does not start with an HTTP/1.x status line");
    expect(parseError("http/1.1 200 OK\r\n\r\n")).toBe("the response does not start with an HTTP/1.x status line");
    expect(parseError("HTTP/1.1 20 OK\r\n\r\n")).toBe("the status code is not three digits");
    expect(parseError("HTTP/1.1 2000\r\n\r\n")).toBe("the status code is not three digits");
    expect(parseError("HTTP/1.1 600 Nope\r\n\r\n")).toBe("status code 600 is outside 100–599");
  });

  it("refuses garbage as soon as its first bytes cannot start a status line", () => {
    expect(parseError("\x16\x03\x01 not")).toBe("the response does not start with an HTTP/1.x status line");
  });

  it("refuses a bad chunk size", () => {
    const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    expect(parseError(`${head}zz\r\n`)).toBe("a chunk size that is not a hex number");
    expect(parseError(`${head}\r\n`)).toBe("a chunk size that is not a hex number");
    expect(parseError(`${head}5x\r\n`)).toBe("a chunk size followed by neither an extension nor CRLF");
    expect(parseError(`${head}5\r\nhelloXX`)).toBe("chunked coding: expected CR, got byte 88");
    expect(parseError(`${head}ffffffff\r\n`)).toBe("a chunked body longer than 1048576 bytes");
  });

  it("refuses conflicting content-lengths, in a list or on two lines", () => {
    expect(parseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")).toBe("conflicting content-length values 5 and 6");
    expect(parseError("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello")).toBe("conflicting content-length values 5 and 6");
    expect(parseError("HTTP/1.1 200 OK\r\nContent-Length: 5a\r\n\r\n")).toBe("content-length is not a number");
    expect(parseError("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n")).toBe("content-length without a value");
  });

  it("refuses framing that could smuggle a response, and codings nobody asked for", () => {
    expect(parseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n")).toBe("both transfer-encoding and content-length");
    expect(parseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")).toBe("transfer coding gzip was not asked for");
    expect(parseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")).toBe("chunked is applied twice");
    expect(parseError("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")).toBe("transfer-encoding in an HTTP/1.0 response");
    expect(parseError("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")).toBe("101 Switching Protocols to a request without Upgrade");
  });

  it("refuses bare LFs, whitespace before a colon or the first field, and an empty field name", () => {
    expect(parseError("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n")).toBe("a line of the response head does not end in CRLF");
    expect(parseError("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n")).toBe("a field line without a valid name and colon");
    expect(parseError("HTTP/1.1 200 OK\r\n Content-Length: 0\r\n\r\n")).toBe("whitespace between the status line and the first field");
    expect(parseError("HTTP/1.1 200 OK\r\n: 0\r\n\r\n")).toBe("a field line without a valid name and colon");
  });

  it("refuses a head longer than MAX_HEAD_BYTES and a body longer than the limit", () => {
    const long = `HTTP/1.1 200 OK\r\nX-Long: ${"a".repeat(MAX_HEAD_BYTES)}\r\n\r\n`;
    expect(parseError(long)).toBe(`a response head longer than ${MAX_HEAD_BYTES} bytes`);
    expect(() => parse([long.slice(0, 100), long.slice(100)])).toThrow(`a response head longer than ${MAX_HEAD_BYTES} bytes`);
    expect(parseError("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", 10)).toBe("content-length 11 above the 10-byte limit");
    expect(parseError("HTTP/1.1 200 OK\r\n\r\n0123456789X", 10)).toBe("a body longer than 10 bytes");
  });

  it("ignores all input after an error, so a closing connection reports nothing more", () => {
    const { parser, seen } = setup();
    expect(() => parser.push(Buffer.from("HTTP/1.1 999 x\r\n\r\n", "latin1"))).toThrow(ResponseParseError);
    parser.push(Buffer.from(LENGTH, "latin1"));
    expect(seen).toEqual([]);
  });
});
