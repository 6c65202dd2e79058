import { describe, expect, it } from "vitest";
import { RequestTemplate } from "../../clients/wire/http1/request-template.ts";
import { encodePayload, makeBody } from "../../proto/codec.ts";

const head = (contentLength: number, extra = ""): string =>
  "POST /wirecost.Bench/Unary HTTP/1.1\r\n" +
  "host: 127.0.0.1:8080\r\n" +
  "content-type: application/x-protobuf\r\n" +
  `content-length: ${contentLength}\r\n` +
  extra +
  "\r\n";

describe("RequestTemplate", () => {
  it("encodes the request line, host, content-type and content-length, then the payload with the seq patched in", () => {
    const template = new RequestTemplate({ authority: "127.0.0.1:8080", requestBytes: 3, close: false });
    expect(template.inline).toBe(true);
    expect(template.encode(5).toString("latin1")).toBe(head(7) + "\x08\x05\x12\x03\x00\x01\x02");
    expect(template.encode(300).toString("latin1")).toBe(head(8) + "\x08\xac\x02\x12\x03\x00\x01\x02");
  });

  it("asks the server to close after the answer for http1-close", () => {
    const template = new RequestTemplate({ authority: "127.0.0.1:8080", requestBytes: 0, close: true });
    expect(template.encode(1).toString("latin1")).toBe(head(4, "connection: close\r\n") + "\x08\x01\x12\x00");
  });

  it("carries the codec's payload and its length for a seq varint of every length from 1 to 8 bytes", () => {
    const body = makeBody(100);
    const template = new RequestTemplate({ authority: "[::1]:80", requestBytes: 100, close: false });
    for (const seq of [0, 127, 128, 2 ** 14, 2 ** 21, 2 ** 28, 2 ** 35, 2 ** 42, 2 ** 49, Number.MAX_SAFE_INTEGER]) {
      const bytes = template.encode(seq);
      const split = bytes.indexOf("\r\n\r\n") + 4;
      const payload = encodePayload(seq, body);
      expect(bytes.subarray(split).equals(payload), `seq ${seq}`).toBe(true);
      expect(bytes.toString("latin1", 0, split)).toContain(`host: [::1]:80\r\ncontent-type: application/x-protobuf\r\ncontent-length: ${payload.length}\r\n\r\n`);
    }
  });

  it("leaves a large body out of each request's buffer: the head and seq, then the shared tail, make the request", () => {
    const body = makeBody(40_000);
    const template = new RequestTemplate({ authority: "127.0.0.1:8080", requestBytes: 40_000, close: false });
    expect(template.inline).toBe(false);
    const first = template.encode(9);
    expect(first.toString("latin1")).toBe(head(encodePayload(9, body).length) + "\x08\x09");
    expect(Buffer.concat([first, template.tail]).subarray(first.length - 2).equals(encodePayload(9, body))).toBe(true);
    // The tail is never written to: a second request leaves it as it was.
    const tailBefore = Buffer.from(template.tail);
    template.encode(2 ** 40);
    expect(template.tail.equals(tailBefore)).toBe(true);
  });

  it("switches to the shared tail where Buffer.allocUnsafe stops slicing Node's pool", () => {
    const inlineAt = (requestBytes: number) => new RequestTemplate({ authority: "127.0.0.1:8080", requestBytes, close: false }).inline;
    const poolSliceBytes = Buffer.poolSize >>> 1;
    // 123 bytes of head (its content-length has 5 digits) with the seq tag, up to 8 of seq, 1 + 3 of body tag and length.
    expect(inlineAt(poolSliceBytes - 136)).toBe(true);
    expect(inlineAt(poolSliceBytes - 135)).toBe(false);
  });
});
