import { describe, expect, it } from "vitest";
import { HpackDecoder, readInteger } from "../../../clients/wire/http2/hpack-decoder.ts";
import { errorCodeName, Http2ConnectionError } from "../../../clients/wire/http2/frames.ts";

const hex = (s: string): Buffer => Buffer.from(s.replaceAll(/\s/g, ""), "hex");

function decode(decoder: HpackDecoder, block: string): [string, string][] {
  const fields: [string, string][] = [];
  decoder.decode(hex(block), { field: (name, value) => fields.push([name, value]) });
  return fields;
}

function errorOf(block: string, decoder = new HpackDecoder()): string {
  try {
    decode(decoder, block);
  } catch (err) {
    if (err instanceof Http2ConnectionError) return errorCodeName(err.code);
    throw err;
  }
  return "no error";
}

const DATE_21 = "Mon, 21 Oct 2013 20:13:21 GMT";
const DATE_22 = "Mon, 21 Oct 2013 20:13:22 GMT";
const COOKIE = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

/** RFC 7541 C.3 (without Huffman) and C.4 (with): three requests on one connection. */
const REQUESTS = {
  "C.3": [
    "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
    "8286 84be 5808 6e6f 2d63 6163 6865",
    "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
  ],
  "C.4": [
    "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
    "8286 84be 5886 a8eb 1064 9cbf",
    "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
  ],
};

/** RFC 7541 C.5 (without Huffman) and C.6 (with): three responses, SETTINGS_HEADER_TABLE_SIZE 256. */
const RESPONSES = {
  "C.5": [
    `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
     2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
    "4803 3330 37c1 c0bf",
    `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
     54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
     5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
  ],
  "C.6": [
    `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
     2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
    "4883 640e ffc1 c0bf",
    `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
     77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
     9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
  ],
};

describe("readInteger", () => {
  it("reads the integers of RFC 7541 C.1", () => {
    expect(readInteger(hex("0a"), 0, 1, 5)).toBe(10); // C.1.1, with the top 3 bits ignored: also e.g. ea
    expect(readInteger(hex("ea"), 0, 1, 5)).toBe(10);
    expect(readInteger(hex("1f9a0a"), 0, 3, 5)).toBe(1337); // C.1.2
    expect(readInteger(hex("2a"), 0, 1, 8)).toBe(42); // C.1.3
  });

  it("refuses an integer cut off by the end of the block, and one above 2^28", () => {
    expect(() => readInteger(hex("1f9a"), 0, 2, 5)).toThrow("COMPRESSION_ERROR");
    expect(() => readInteger(hex("1fffffffff0f"), 0, 6, 5)).toThrow("COMPRESSION_ERROR");
  });
});

describe("HpackDecoder", () => {
  it("decodes the field representations of RFC 7541 C.2", () => {
    const d = new HpackDecoder();
    expect(decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")).toEqual([["custom-key", "custom-header"]]);
    expect([d.entries, d.tableSize]).toEqual([[["custom-key", "custom-header"]], 55]);
    for (const [block, field] of [
      ["040c 2f73 616d 706c 652f 7061 7468", [":path", "/sample/path"]], // C.2.2, without indexing
      ["1008 7061 7373 776f 7264 0673 6563 7265 74", ["password", "secret"]], // C.2.3, never indexed
      ["82", [":method", "GET"]], // C.2.4
    ] as const) {
      const fresh = new HpackDecoder();
      expect(decode(fresh, block)).toEqual([field]);
      expect(fresh.tableSize).toBe(0);
    }
  });

  it.each(Object.entries(REQUESTS))("decodes the requests of RFC 7541 %s on one connection", (_name, blocks) => {
    const d = new HpackDecoder();
    const [first, second, third] = blocks.map((block) => decode(d, block));
    const base = [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"]];
    expect(first).toEqual(base);
    expect(second).toEqual([...base, ["cache-control", "no-cache"]]);
    expect(third).toEqual([[":method", "GET"], [":scheme", "https"], [":path", "/index.html"], [":authority", "www.example.com"], ["custom-key", "custom-value"]]);
    expect(d.entries).toEqual([["custom-key", "custom-value"], ["cache-control", "no-cache"], [":authority", "www.example.com"]]);
    expect(d.tableSize).toBe(164);
  });

  it.each(Object.entries(RESPONSES))("decodes the responses of RFC 7541 %s, evicting as the 256-octet table fills", (_name, blocks) => {
    const d = new HpackDecoder(256);
    const location = ["location", "https://www.example.com"];
    expect(decode(d, blocks[0] as string)).toEqual([[":status", "302"], ["cache-control", "private"], ["date", DATE_21], location]);
    expect(d.entries).toEqual([location, ["date", DATE_21], ["cache-control", "private"], [":status", "302"]]);
    expect(d.tableSize).toBe(222);
    expect(decode(d, blocks[1] as string)).toEqual([[":status", "307"], ["cache-control", "private"], ["date", DATE_21], location]);
    expect(d.entries).toEqual([[":status", "307"], location, ["date", DATE_21], ["cache-control", "private"]]);
    expect(d.tableSize).toBe(222);
    expect(decode(d, blocks[2] as string)).toEqual([
      [":status", "200"],
      ["cache-control", "private"],
      ["date", DATE_22],
      location,
      ["content-encoding", "gzip"],
      ["set-cookie", COOKIE],
    ]);
    expect(d.entries).toEqual([["set-cookie", COOKIE], ["content-encoding", "gzip"], ["date", DATE_22]]);
    expect(d.tableSize).toBe(215);
  });

  it("evicts on a dynamic table size update, and empties the table for an entry larger than it", () => {
    const d = new HpackDecoder(256);
    decode(d, REQUESTS["C.3"][0] as string);
    decode(d, REQUESTS["C.3"][1] as string);
    expect(d.tableSize).toBe(110);
    expect(decode(d, "3f22 82")).toEqual([[":method", "GET"]]); // update to 65: only the newest entry (53) stays
    expect(d.entries).toEqual([["cache-control", "no-cache"]]);
    expect(decode(d, "20 3f22")).toEqual([]); // to 0 and back to 65: empty
    expect(d.tableSize).toBe(0);
    decode(d, "5808 6e6f 2d63 6163 6865");
    expect(decode(d, `48 1f ${"61".repeat(31)}`)).toEqual([[":status", "a".repeat(31)]]); // 7+31+32 > 65
    expect([d.entries, d.tableSize]).toEqual([[], 0]);
  });

  it("refuses index 0, an index past the table, and a size update above its limit or after a field", () => {
    expect(errorOf("80")).toBe("COMPRESSION_ERROR");
    expect(errorOf("be")).toBe("COMPRESSION_ERROR"); // 62 with an empty dynamic table
    expect(errorOf("7e 01 61")).toBe("COMPRESSION_ERROR"); // a literal whose name index is 62
    expect(errorOf("3fe11f")).toBe("no error"); // 4096
    expect(errorOf("3fe21f")).toBe("COMPRESSION_ERROR"); // 4097 > 4096
    expect(errorOf("3fe21f", new HpackDecoder(8192))).toBe("no error");
    expect(errorOf("82 20")).toBe("COMPRESSION_ERROR");
  });

  it("refuses strings cut off by the end of the block, and bad Huffman in them", () => {
    expect(errorOf("0005 61")).toBe("COMPRESSION_ERROR");
    expect(errorOf("40")).toBe("COMPRESSION_ERROR");
    expect(errorOf("0001 61 81 18")).toBe("COMPRESSION_ERROR"); // Huffman padding of zeros
    expect(decode(new HpackDecoder(), "0001 61 81 1f")).toEqual([["a", "a"]]);
  });
});
