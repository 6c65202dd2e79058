/**
 * One HTTP/2 connection from the client side (RFC 9113), a state machine over a byte stream in the manner of
 * nghttp2's h2load session: bytes in through `receive`, frames out through a `Transport`; the socket is someone
 * else's (connect.ts), so this file does no I/O and can be driven by a test with bytes.
 *
 * `connecting` (preface and SETTINGS sent, §3.4) → `open` once the server's SETTINGS arrive (they are its first
 * frame: §3.4), so requests go out knowing its SETTINGS_MAX_CONCURRENT_STREAMS → `draining` after a GOAWAY, or our
 * own close: no new streams → `closed`. Everything written in one turn leaves in one `Transport.write` on the next
 * tick. A connection error (frames.ts) sends GOAWAY with its code and fails every stream `protocol`; a lost
 * transport fails them with the transport's failure.
 */

import { failure } from "../../common/error-kind.ts";
import type { RequestFailure } from "../../../contract/index.ts";
import { RECEIVE_WINDOW_BYTES } from "./flow-control.ts";
import { FrameDecoder } from "./frame-decoder.ts";
import type { FrameSink } from "./frame-decoder.ts";
import { FrameWriter } from "./frame-writer.ts";
import { ErrorCode, errorCodeName, Http2ConnectionError, Setting } from "./frames.ts";
import type { SettingsEntry } from "./frames.ts";
import { HpackDecoder } from "./hpack-decoder.ts";
import { RequestHeaderEncoder } from "./hpack-encoder.ts";
import type { RequestHeaderBlocks } from "./hpack-encoder.ts";
import { ResponseHeadReader } from "./stream.ts";
import type { Http2Stream } from "./stream.ts";
import { ReceiveFlow } from "./receive-flow.ts";
import { SendFlow } from "./send-flow.ts";
import { StreamRegistry } from "./stream-registry.ts";

/** What a session writes to: a socket, or a test's recorder. */
export interface Transport {
  write(chunk: Buffer): void;
  /** Ends the connection after what was written; resolves once it is closed. */
  close(): Promise<void>;
}

export type SessionState = "connecting" | "open" | "draining" | "closed";

export class Http2Session implements FrameSink {
  /** The batch being written this turn: callers of `send.dataSpace` write their payload straight into it. */
  readonly out: FrameWriter;
  /** Where request bodies go: in place (`dataSpace`) or queued (`queue`), as the send windows allow (send-flow.ts). */
  readonly send: SendFlow;
  readonly #receive: ReceiveFlow;
  readonly #transport: Transport;
  readonly #onClosed: (session: Http2Session) => void;
  readonly #decoder = new FrameDecoder();
  readonly #hpack = new HpackDecoder();
  readonly #headers: RequestHeaderEncoder;
  readonly #streams = new StreamRegistry((stream) => this.#start(stream));
  readonly #heads = new ResponseHeadReader();
  #state: SessionState = "connecting";
  #transportDone = false;

  /**
   * Writes the preface, our SETTINGS and the connection window's WINDOW_UPDATE at once (§3.4). `receiveWindowBytes`,
   * the window we advertise for the connection and every stream, is flow-control.ts's unless a test sets it.
   */
  constructor(
    transport: Transport,
    headers: RequestHeaderBlocks,
    onClosed: (session: Http2Session) => void,
    receiveWindowBytes: number = RECEIVE_WINDOW_BYTES,
  ) {
    this.#transport = transport;
    this.out = new FrameWriter((chunk) => transport.write(chunk));
    this.send = new SendFlow(this.out);
    this.#receive = new ReceiveFlow(this.out, receiveWindowBytes);
    this.#headers = new RequestHeaderEncoder(headers);
    this.#onClosed = onClosed;
    this.#receive.writePreface();
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Whether a new request may be given to this session. */
  get usable(): boolean {
    return (this.#state === "connecting" || this.#state === "open") && !this.#streams.exhausted;
  }

  /** Streams opened and not yet closed (what counts against the server's limit, §5.1.2). */
  get openStreams(): number {
    return this.#streams.openCount;
  }

  /** Opens `stream` (its HEADERS, without END_STREAM), or queues it until the server allows another stream. */
  submit(stream: Http2Stream): void {
    if (!this.usable) {
      stream.streamState = "closed";
      stream.onAbort(failure("reset", `the connection is ${this.#state}`));
      return;
    }
    this.#streams.submit(stream, this.#state === "open");
  }

  /** Gives up on `stream` (its request timed out): RST_STREAM CANCEL if open; no event follows. */
  cancel(stream: Http2Stream): void {
    if (stream.streamState === "open") {
      this.out.rstStream(stream.streamId, ErrorCode.CANCEL);
      this.#streams.forget(stream);
      this.#streamEnded();
    }
    stream.streamState = "closed";
  }

  /** Bytes from the transport. */
  receive(chunk: Buffer): void {
    try {
      this.#decoder.push(chunk, this);
    } catch (err) {
      if (!(err instanceof Http2ConnectionError)) throw err;
      this.#connectionError(err);
    }
  }

  /** The transport closed (or failed to connect): every stream fails with `why`. */
  transportClosed(why: RequestFailure): void {
    this.#transportDone = true;
    this.out.close();
    this.#teardown(why);
  }

  /** GOAWAY NO_ERROR and the end of the connection; streams still open fail with `why`. */
  close(why: RequestFailure): Promise<void> {
    if (!this.#transportDone) {
      this.out.goaway(ErrorCode.NO_ERROR, "");
      this.out.flush();
    }
    this.#teardown(why);
    return this.#endTransport();
  }

  // FrameSink: what the server sent.

  data(streamId: number, data: Buffer, endStream: boolean, flowBytes: number): void {
    const stream = this.#streamFor(streamId, "DATA");
    this.#receive.receive(stream, streamId, flowBytes, endStream);
    if (stream === undefined) return;
    if (endStream) this.#remoteEnded(stream);
    stream.onData(data, endStream);
    if (endStream) this.#streamEnded();
  }

  headers(streamId: number, block: Buffer, endStream: boolean): void {
    const head = this.#heads.read(this.#hpack, block); // always, so the table stays the server's (§4.3)
    const stream = this.#streamFor(streamId, "HEADERS");
    if (stream === undefined) return;
    if (!endStream && head.status >= 100 && head.status < 200) return; // §8.1: interim; the final head follows
    if (endStream) this.#remoteEnded(stream);
    stream.onHeaders(head, endStream);
    if (endStream) this.#streamEnded();
  }

  rstStream(streamId: number, code: number): void {
    const stream = this.#streamFor(streamId, "RST_STREAM");
    if (stream === undefined) return;
    this.#streams.forget(stream);
    stream.onAbort(failure("reset", `the server reset stream ${streamId} (${errorCodeName(code)})`));
    this.#streamEnded();
  }

  settings(entries: readonly SettingsEntry[]): void {
    for (const [id, value] of entries) {
      switch (id) {
        case Setting.HEADER_TABLE_SIZE:
          this.#headers.peerTableSize(value);
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          this.#streams.peerMaxStreams = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE:
          this.send.setInitialWindow(value, this.#streams.openStreams());
          break;
        case Setting.MAX_FRAME_SIZE:
          this.send.maxFrameSize = value;
          break;
        default:
          break; // ENABLE_PUSH (checked by the decoder), MAX_HEADER_LIST_SIZE (our header lists are small)
      }
    }
    this.out.settingsAck(); // §6.5.3, before any HEADERS encoded under them
    if (this.#state === "connecting") this.#state = "open";
    this.send.pumpBlocked();
    this.#streams.openWaiting();
  }

  settingsAck(): void {}

  ping(opaque: Buffer, ack: boolean): void {
    if (!ack) this.out.pingAck(opaque); // §6.7
  }

  /** §6.8: streams above `lastStreamId` were not processed and fail; those below may still finish. */
  goaway(lastStreamId: number, code: number, debug: Buffer): void {
    if (this.#state === "closed") return;
    this.#state = "draining";
    const detail = debug.length > 0 ? `: ${debug.toString("utf8")}` : "";
    const why = failure("reset", `the server sent GOAWAY (${errorCodeName(code)}${detail}) for streams above ${lastStreamId}`);
    this.#streams.failAbove(lastStreamId, why);
    this.#streamEnded();
  }

  windowUpdate(streamId: number, increment: number): void {
    const stream = streamId === 0 ? undefined : this.#streamFor(streamId, "WINDOW_UPDATE");
    if (streamId === 0) this.send.connectionUpdate(increment);
    else if (stream !== undefined) this.send.streamUpdate(stream, increment);
  }

  /** The open stream `streamId`; undefined for one closed since (frames in flight), an error for one never opened. */
  #streamFor(streamId: number, frame: string): Http2Stream | undefined {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) this.#streams.checkPast(streamId, frame);
    return stream;
  }

  /** A stream was opened (stream-registry.ts): its HEADERS, then any DATA that waited for it. */
  #start(stream: Http2Stream): void {
    this.send.open(stream);
    this.#receive.open(stream);
    this.out.headers(stream.streamId, this.#headers.next(), 0);
    this.send.pump(stream);
  }

  /** A stream closed: another may open; a draining connection with none left is done (§6.8). */
  #streamEnded(): void {
    if (this.#state === "draining" && this.#streams.openCount === 0) void this.close(failure("reset", "the connection closed after GOAWAY"));
    else this.#streams.openWaiting();
  }

  /** The server ended its side: the stream is done; if ours is still open, reset it rather than finish it (§8.1). */
  #remoteEnded(stream: Http2Stream): void {
    if (!stream.localEnded) this.out.rstStream(stream.streamId, ErrorCode.NO_ERROR);
    this.#streams.forget(stream);
  }

  #connectionError(err: Http2ConnectionError): void {
    if (this.#state === "closed") return;
    this.out.goaway(err.code, err.message);
    this.out.flush();
    this.#teardown(failure("protocol", `HTTP/2 connection error: ${err.message}`));
    void this.#endTransport();
  }

  /** Fails every stream (open or waiting) with `why`, once, and tells the owner the session is gone. */
  #teardown(why: RequestFailure): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#decoder.stop();
    this.send.clear();
    this.#streams.failAll(why);
    this.#onClosed(this);
  }

  #endTransport(): Promise<void> {
    this.#transportDone = true;
    this.out.close();
    return this.#transport.close();
  }
}
