/**
 * The chunked transfer coding (RFC 9112 §7.1), decoded a byte at a time where its control lines are (they may split
 * anywhere across reads) and a run at a time through chunk data:
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk   = 1*("0") [ chunk-ext ] CRLF
 *
 * Chunk extensions are skipped, as a recipient must ignore those it does not know (§7.1.1), and so are trailer
 * fields, which a recipient may discard (§7.1.2); both are bounded so a peer cannot make the client read forever.
 */

import { assertNever } from "../../../contract/index.ts";
import { ResponseParseError } from "./response-head.ts";

/** Where the decoded body goes: ResponseParser's body buffer. */
export interface ChunkedTarget {
  appendBody(chunk: Buffer, start: number, end: number): void;
  completeResponse(): void;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const SEMICOLON = 0x3b;

type Step =
  | "size" // chunk-size hex digits
  | "extension" // after the size: BWS and chunk-ext, up to the CR
  | "size-lf" // the LF ending the size line
  | "data" // chunk-data
  | "data-cr" // the CRLF after chunk-data
  | "data-lf"
  | "trailer-start" // the start of a trailer line, or the CR of the final empty line
  | "trailer-line"
  | "trailer-lf"
  | "end-lf"; // the LF of the final empty line

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const lower = b | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

export class ChunkedBody {
  readonly #maxBodyBytes: number;
  readonly #maxLineBytes: number;
  #step: Step = "size";
  /** The size being read, then the bytes of the current chunk still to come. */
  #remaining = 0;
  /** Bytes of the current size line or of the trailer section so far, against `maxLineBytes`. */
  #lineBytes = 0;
  /** Body bytes so far, against `maxBodyBytes` before a chunk's data is read. */
  #bodyBytes = 0;

  constructor(maxBodyBytes: number, maxLineBytes: number) {
    this.#maxBodyBytes = maxBodyBytes;
    this.#maxLineBytes = maxLineBytes;
  }

  /** Starts a new chunked body. */
  begin(): void {
    this.#step = "size";
    this.#remaining = 0;
    this.#lineBytes = 0;
    this.#bodyBytes = 0;
  }

  /** Decodes from chunk[pos]; returns where it stopped: the end of the chunk, or just past the body's last byte. */
  read(chunk: Buffer, pos: number, target: ChunkedTarget): number {
    const end = chunk.length;
    while (pos < end) {
      const step = this.#step;
      if (step === "data") {
        const taken = Math.min(end - pos, this.#remaining);
        target.appendBody(chunk, pos, pos + taken);
        pos += taken;
        this.#remaining -= taken;
        if (this.#remaining === 0) this.#step = "data-cr";
        continue;
      }
      const b = chunk[pos++] as number;
      switch (step) {
        case "size": {
          const digit = hexValue(b);
          if (digit >= 0) {
            this.#countLine(b, "chunk size line");
            this.#remaining = this.#remaining * 16 + digit;
            if (this.#bodyBytes + this.#remaining > this.#maxBodyBytes) throw new ResponseParseError(`a chunked body longer than ${this.#maxBodyBytes} bytes`);
          } else if (this.#lineBytes === 0) {
            throw new ResponseParseError("a chunk size that is not a hex number"); // chunk-size = 1*HEXDIG
          } else if (b === SEMICOLON || b === SP || b === HTAB) {
            // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ); a recipient removes BWS
            // (RFC 9110 §5.6.3). llhttp, and so undici, refuses whitespace here instead.
            this.#step = "extension";
          } else if (b === CR) {
            this.#step = "size-lf";
          } else {
            throw new ResponseParseError("a chunk size followed by neither an extension nor CRLF");
          }
          break;
        }
        case "extension":
          if (b === CR) this.#step = "size-lf";
          else this.#countLine(b, "chunk extension");
          break;
        case "size-lf":
          this.#expect(b, LF);
          this.#lineBytes = 0;
          this.#bodyBytes += this.#remaining;
          this.#step = this.#remaining === 0 ? "trailer-start" : "data";
          break;
        case "data-cr":
          this.#expect(b, CR);
          this.#step = "data-lf";
          break;
        case "data-lf":
          this.#expect(b, LF);
          this.#step = "size";
          break;
        case "trailer-start":
          if (b === CR) {
            this.#step = "end-lf";
          } else {
            this.#countLine(b, "trailer section");
            this.#step = "trailer-line";
          }
          break;
        case "trailer-line":
          if (b === CR) this.#step = "trailer-lf";
          else this.#countLine(b, "trailer section");
          break;
        case "trailer-lf":
          this.#expect(b, LF);
          this.#step = "trailer-start";
          break;
        case "end-lf":
          this.#expect(b, LF);
          target.completeResponse();
          return pos;
        default:
          assertNever(step);
      }
    }
    return pos;
  }

  #expect(b: number, wanted: number): void {
    if (b !== wanted) throw new ResponseParseError(`chunked coding: expected ${wanted === CR ? "CR" : "LF"}, got byte ${b}`);
  }

  /** One more byte of a size line's extension or of the trailer section, which are bounded and hold no bare LF. */
  #countLine(b: number, what: string): void {
    if (b === LF) throw new ResponseParseError(`a bare LF in a ${what}`);
    if (++this.#lineBytes > this.#maxLineBytes) throw new ResponseParseError(`a ${what} longer than ${this.#maxLineBytes} bytes`);
  }
}
