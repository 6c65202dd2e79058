/**
 * The encode/decode work the codec benchmark times: one wirecost `Payload` (proto/bench.proto) through JSON, through
 * wirecost's own protobuf codec (proto/codec.ts, what every arm sends) and through protobufjs (what grpc-js would use
 * via proto-loader). JSON follows the proto3 JSON mapping: uint64 as a decimal string, bytes as base64.
 */
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { decodePayload, encodePayload, makeBody } from "../../proto/codec.ts";

export const CODECS = ["json", "wirecost-protobuf", "protobufjs"] as const;
export type Codec = (typeof CODECS)[number];
export type Operation = "encode" | "decode";

export interface CodecCase {
  readonly codec: Codec;
  readonly operation: Operation;
  /** "request" or "response": which configured size. */
  readonly message: "request" | "response";
  readonly bodyBytes: number;
  /** Size of one encoded message (JSON as UTF-8). */
  readonly encodedBytes: number;
  /** Runs the operation `count` times; returns a checksum the caller keeps so the work cannot be optimised away. */
  readonly run: (count: number) => number;
}

/** A realistic sequence number: large enough to take several varint bytes. */
const SEQ = 123_456_789;

const protoPath = fileURLToPath(new URL("../../proto/bench.proto", import.meta.url));

function jsonEncode(seq: number, body: Uint8Array): Buffer {
  return Buffer.from(JSON.stringify({ seq: String(seq), body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("base64") }));
}

function jsonDecode(bytes: Buffer): { seq: number; body: Buffer } {
  const parsed = JSON.parse(bytes.toString("utf8")) as { seq: string; body: string };
  return { seq: Number(parsed.seq), body: Buffer.from(parsed.body, "base64") };
}

export function codecCases(sizes: { readonly requestBytes: number; readonly responseBytes: number }): CodecCase[] {
  const Payload = protobuf.loadSync(protoPath).lookupType("wirecost.Payload");
  const cases: CodecCase[] = [];
  for (const [message, bodyBytes] of [["request", sizes.requestBytes], ["response", sizes.responseBytes]] as const) {
    const body = makeBody(bodyBytes);
    const json = jsonEncode(SEQ, body);
    const ours = encodePayload(SEQ, body);
    const theirs = Payload.encode(Payload.create({ seq: SEQ, body })).finish();
    const loop = (fn: () => number) => (count: number): number => {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += fn();
      return sum;
    };
    const common = { message, bodyBytes } as const;
    cases.push(
      { ...common, codec: "json", operation: "encode", encodedBytes: json.length, run: loop(() => jsonEncode(SEQ, body).length) },
      { ...common, codec: "json", operation: "decode", encodedBytes: json.length, run: loop(() => jsonDecode(json).body.length) },
      { ...common, codec: "wirecost-protobuf", operation: "encode", encodedBytes: ours.length, run: loop(() => encodePayload(SEQ, body).length) },
      { ...common, codec: "wirecost-protobuf", operation: "decode", encodedBytes: ours.length, run: loop(() => decodePayload(ours).body.length) },
      {
        ...common,
        codec: "protobufjs",
        operation: "encode",
        encodedBytes: theirs.length,
        run: loop(() => Payload.encode(Payload.create({ seq: SEQ, body })).finish().length),
      },
      {
        ...common,
        codec: "protobufjs",
        operation: "decode",
        encodedBytes: theirs.length,
        run: loop(() => (Payload.decode(theirs) as unknown as { body: Uint8Array }).body.length),
      },
    );
  }
  return cases;
}
