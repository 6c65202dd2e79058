import { describe, expect, it } from "vitest";
import { encodeInteger, encodeTableSizeUpdate, prepareRequestHeaders, RequestHeaderEncoder } from "../../../clients/wire/http2/hpack-encoder.ts";
import type { HeaderField } from "../../../clients/wire/http2/hpack-encoder.ts";
import { HpackDecoder } from "../../../clients/wire/http2/hpack-decoder.ts";

const text = (s: string): string => Buffer.from(s, "latin1").toString("hex");
const len = (s: string): string => s.length.toString(16).padStart(2, "0");

const H2C: readonly HeaderField[] = [
  [":method", "POST"],
  [":scheme", "http"],
  [":path", "/wirecost.Bench/Unary"],
  [":authority", "127.0.0.1:8080"],
  ["content-type", "application/x-protobuf"],
];

const GRPC: readonly HeaderField[] = [
  [":method", "POST"],
  [":scheme", "http"],
  [":path", "/wirecost.Bench/Unary"],
  [":authority", "127.0.0.1:8080"],
  ["content-type", "application/grpc"],
  ["te", "trailers"],
];

function decoded(decoder: HpackDecoder, block: Buffer): HeaderField[] {
  const fields: HeaderField[] = [];
  decoder.decode(block, { field: (name, value) => fields.push([name, value]) });
  return fields;
}

describe("encodeInteger", () => {
  it("writes the integers of RFC 7541 C.1 with the flag bits above the prefix", () => {
    const out: number[] = [];
    encodeInteger(out, 10, 5, 0);
    encodeInteger(out, 1337, 5, 0);
    encodeInteger(out, 42, 8, 0);
    encodeInteger(out, 31, 5, 0x20); // exactly the prefix maximum needs a zero continuation byte
    encodeInteger(out, 62, 7, 0x80);
    expect(Buffer.from(out).toString("hex")).toBe("0a" + "1f9a0a" + "2a" + "3f00" + "be");
    expect(encodeTableSizeUpdate(4096).toString("hex")).toBe("3fe11f");
  });
});

describe("prepareRequestHeaders", () => {
  it("indexes static pairs, and sends the rest as literals with indexing, then as dynamic-table references", () => {
    const blocks = prepareRequestHeaders(H2C);
    const path = "/wirecost.Bench/Unary";
    const authority = "127.0.0.1:8080";
    const type = "application/x-protobuf";
    expect(blocks.indexing.toString("hex")).toBe(
      "83" + "86" + "44" + len(path) + text(path) + "41" + len(authority) + text(authority) + "5f" + len(type) + text(type),
    );
    expect(blocks.indexed.toString("hex")).toBe("8386" + "c0" + "bf" + "be"); // :path 64, :authority 63, content-type 62
    expect(blocks.plain.toString("hex")).toBe(
      "83" + "86" + "04" + len(path) + text(path) + "01" + len(authority) + text(authority) + "0f10" + len(type) + text(type),
    );
    expect(blocks.tableBytes).toBe(5 + 21 + 32 + (10 + 14 + 32) + (12 + 22 + 32));
  });

  it("sends a name the static table lacks (te) as a literal name", () => {
    const blocks = prepareRequestHeaders(GRPC);
    expect(blocks.indexing.subarray(-13).toString("hex")).toBe("40" + "02" + text("te") + "08" + text("trailers"));
    expect(blocks.plain.subarray(-13).toString("hex")).toBe("00" + "02" + text("te") + "08" + text("trailers"));
    expect(blocks.indexed.toString("hex")).toBe("8386" + "c1" + "c0" + "bf" + "be");
  });

  it.each([
    ["h2c", H2C],
    ["gRPC", GRPC],
  ])("gives the %s header list back through a decoder: the indexing block, then the indexed one, again and again", (_name, fields) => {
    const blocks = prepareRequestHeaders(fields);
    const server = new HpackDecoder();
    expect(decoded(server, blocks.indexing)).toEqual(fields);
    expect(server.tableSize).toBe(blocks.tableBytes);
    for (let i = 0; i < 3; i++) expect(decoded(server, blocks.indexed)).toEqual(fields);
    expect(decoded(new HpackDecoder(), blocks.plain)).toEqual(fields);
  });
});

describe("RequestHeaderEncoder", () => {
  const blocks = prepareRequestHeaders(H2C);

  it("sends the indexing block first and the indexed block after it", () => {
    const encoder = new RequestHeaderEncoder(blocks);
    expect([encoder.next(), encoder.next(), encoder.next()]).toEqual([blocks.indexing, blocks.indexed, blocks.indexed]);
  });

  it("ignores a larger server table, and signals a smaller one once, keeping its entries while they fit", () => {
    const encoder = new RequestHeaderEncoder(blocks);
    const server = new HpackDecoder(4096);
    decoded(server, encoder.next());
    encoder.peerTableSize(65_536);
    expect(encoder.next()).toBe(blocks.indexed);
    encoder.peerTableSize(2048);
    const next = encoder.next();
    expect(next.toString("hex")).toBe("3fe10f" + blocks.indexed.toString("hex")); // 2048
    expect(decoded(server, next)).toEqual(H2C);
    expect(encoder.next()).toBe(blocks.indexed);
  });

  it("falls back to literals without indexing once the server's table is too small for its entries", () => {
    const encoder = new RequestHeaderEncoder(blocks);
    const server = new HpackDecoder(4096);
    decoded(server, encoder.next());
    encoder.peerTableSize(100);
    const next = encoder.next();
    expect(next.toString("hex")).toBe("3f45" + blocks.plain.toString("hex")); // 100
    expect(decoded(server, next)).toEqual(H2C);
    encoder.peerTableSize(4096);
    expect(encoder.next()).toBe(blocks.plain);
  });

  it("never indexes on a connection whose server allows no dynamic table", () => {
    const encoder = new RequestHeaderEncoder(blocks);
    encoder.peerTableSize(0);
    expect(encoder.next().toString("hex")).toBe("20" + blocks.plain.toString("hex"));
    expect(encoder.next()).toBe(blocks.plain);
  });
});
