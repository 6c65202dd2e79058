import { describe, expect, it } from "vitest";
import { EOS, HUFFMAN_CODE_BITS, HUFFMAN_CODES, huffmanDecode } from "../../../clients/wire/http2/hpack-huffman.ts";
import { errorCodeName, Http2ConnectionError } from "../../../clients/wire/http2/frames.ts";

/** A test-side encoder over the table, padding with the most significant bits of EOS (RFC 7541 §5.2). */
function encode(bytes: Uint8Array): Buffer {
  let bits = "";
  for (const byte of bytes) bits += (HUFFMAN_CODES[byte] as number).toString(2).padStart(HUFFMAN_CODE_BITS[byte] as number, "0");
  bits += "1".repeat((8 - (bits.length % 8)) % 8);
  return Buffer.from(bits.match(/.{8}/g)?.map((b) => parseInt(b, 2)) ?? []);
}

function decode(hexText: string): string {
  const buf = Buffer.from(hexText.replaceAll(" ", ""), "hex");
  return huffmanDecode(buf, 0, buf.length);
}

function errorOf(hexText: string): string {
  try {
    decode(hexText);
  } catch (err) {
    if (err instanceof Http2ConnectionError) return errorCodeName(err.code);
    throw err;
  }
  return "no error";
}

describe("the HPACK Huffman code", () => {
  it("has the codes of RFC 7541 Appendix B, built from the code lengths", () => {
    const pinned: [number, number, number][] = [
      [0, 0x1ff8, 13],
      [10, 0x3ffffffc, 30],
      [32, 0x14, 6],
      [48, 0x0, 5],
      [97, 0x3, 5],
      [116, 0x9, 5],
      [122, 0x7b, 7],
      [127, 0xffffffc, 28],
      [255, 0x3ffffee, 26],
      [EOS, 0x3fffffff, 30],
    ];
    for (const [symbol, code, bits] of pinned) expect([HUFFMAN_CODES[symbol], HUFFMAN_CODE_BITS[symbol]], `symbol ${symbol}`).toEqual([code, bits]);
    expect(HUFFMAN_CODES).toHaveLength(257);
  });

  it("is a complete prefix code: the lengths fill the code space exactly (Kraft equality)", () => {
    expect(HUFFMAN_CODE_BITS.reduce((sum, bits) => sum + 2 ** -bits, 0)).toBe(1);
  });

  it("decodes the Huffman strings of RFC 7541 C.4 and C.6", () => {
    expect(decode("f1e3 c2e5 f23a 6ba0 ab90 f4ff")).toBe("www.example.com");
    expect(decode("a8eb 1064 9cbf")).toBe("no-cache");
    expect(decode("25a8 49e9 5ba9 7d7f")).toBe("custom-key");
    expect(decode("6402")).toBe("302");
    expect(decode("aec3 771a 4b")).toBe("private");
    expect(decode("d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff")).toBe("Mon, 21 Oct 2013 20:13:21 GMT");
    expect(decode("9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3")).toBe("https://www.example.com");
  });

  it("decodes every octet value back to itself", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decode(encode(all).toString("hex"))).toBe(Buffer.from(all).toString("latin1"));
    expect(decode("")).toBe("");
  });

  it("refuses EOS in a string, padding over 7 bits, and padding that is not all ones (RFC 7541 §5.2)", () => {
    expect(decode("1f")).toBe("a"); // 00011 + 111
    expect(errorOf("18")).toBe("COMPRESSION_ERROR"); // 00011 + 000
    expect(errorOf("ff")).toBe("COMPRESSION_ERROR"); // 8 bits of padding
    expect(errorOf("1f ff")).toBe("COMPRESSION_ERROR"); // 'a' then 11 bits of padding
    expect(errorOf("ff ff ff ff")).toBe("COMPRESSION_ERROR"); // EOS (30 ones) + 2 bits
  });
});
