/**
 * HPACK's Huffman code (RFC 7541 §5.2, Appendix B) and its decoder. Servers Huffman-code header strings whenever
 * that is shorter (nghttp2, so node:http2 and grpc-js; nginx; Envoy), so a client must read it.
 *
 * The code in Appendix B is canonical: codes of one length are consecutive in symbol order, and each length's first
 * code follows the previous length's last. So the 257 code lengths below determine every code; the table is built
 * from them at load and test/clients/wire/hpack-huffman.test.ts pins codes against Appendix B.
 */

import { ErrorCode, Http2ConnectionError } from "./frames.ts";

/** Appendix B code lengths in bits, for symbols 0–255 and EOS (256). */
const CODE_BITS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0–15
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16–31
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // ' ' – '/'
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // '0' – '?'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // '@' – 'O'
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 'P' – '_'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // '`' – 'o'
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 'p' – 127
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128–143
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240–255
  30, // EOS
];

export const EOS = 256;

/** The canonical code of every symbol, from its length: codes ascend by (length, symbol). */
function canonicalCodes(bits: readonly number[]): number[] {
  const order = bits.map((length, symbol) => ({ length, symbol })).sort((a, b) => a.length - b.length || a.symbol - b.symbol);
  const codes: number[] = [];
  let code = 0;
  let length = order[0]?.length ?? 0;
  for (const entry of order) {
    code *= 2 ** (entry.length - length); // 30-bit codes stay exact in float arithmetic
    length = entry.length;
    codes[entry.symbol] = code;
    code++;
  }
  return codes;
}

/** The code of each symbol (right-aligned) and its length: what Appendix B lists. */
export const HUFFMAN_CODES: readonly number[] = canonicalCodes(CODE_BITS);
export const HUFFMAN_CODE_BITS: readonly number[] = CODE_BITS;

/**
 * The decoding tree as an array: node n's children are at 2n and 2n+1 (bit 0, bit 1); an entry ≥ 0 is the next node,
 * −1 − s a leaf for symbol s, and 0 no code (node 0 is the root, never a child).
 */
function buildTree(): Int32Array {
  const tree = new Int32Array(2 * 2 * CODE_BITS.length);
  let nodes = 1;
  HUFFMAN_CODES.forEach((code, symbol) => {
    const length = CODE_BITS[symbol] as number;
    let node = 0;
    for (let bit = length - 1; bit > 0; bit--) {
      const slot = 2 * node + (Math.floor(code / 2 ** bit) & 1);
      if (tree[slot] === 0) tree[slot] = nodes++;
      node = tree[slot] as number;
    }
    tree[2 * node + (code & 1)] = -1 - symbol;
  });
  return tree;
}

const TREE = buildTree();

function compressionError(message: string): never {
  throw new Http2ConnectionError(ErrorCode.COMPRESSION_ERROR, message);
}

/** Decoded bytes land here; grown when a string needs more (a Huffman string is at most 8/5 of its coded length). */
let scratch = new Uint8Array(256);

/**
 * Decodes a Huffman-coded string as Latin-1 text (header values are octets). §5.2: padding of more than 7 bits, or
 * padding that is not the most significant bits of EOS (all ones), or an EOS symbol, is a decoding error.
 */
export function huffmanDecode(buf: Uint8Array, start: number, end: number): string {
  if (scratch.length < (end - start) * 2) scratch = new Uint8Array((end - start) * 2);
  let out = 0;
  let node = 0;
  /** Bits read since the last symbol, and whether they were all ones. */
  let pending = 0;
  let allOnes = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      const next = TREE[2 * node + b] as number;
      pending++;
      allOnes &&= b === 1;
      if (next >= 0) {
        if (next === 0) compressionError("an invalid Huffman code");
        node = next;
        continue;
      }
      const symbol = -1 - next;
      if (symbol === EOS) compressionError("EOS inside a Huffman-coded string (RFC 7541 §5.2)");
      scratch[out++] = symbol;
      node = 0;
      pending = 0;
      allOnes = true;
    }
  }
  if (pending > 7) compressionError(`${pending} bits of Huffman padding (RFC 7541 §5.2)`);
  if (!allOnes) compressionError("Huffman padding that is not a prefix of EOS (RFC 7541 §5.2)");
  return Buffer.from(scratch.buffer, 0, out).toString("latin1");
}
