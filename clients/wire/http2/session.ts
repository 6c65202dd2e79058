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
import { ReceiveWindow, RECEIVE_WINDOW_BYTES, creditDue, windowAfterInitialChange, windowAfterReceive } from "./flow-control.ts";
import { FrameDecoder } from "./frame-decoder.ts";
import type { FrameSink } from "./frame-decoder.ts";
import { FrameWriter } from "./frame-writer.ts";
import { CONNECTION_PREFACE, DEFAULT_INITIAL_WINDOW, encodeSettings, ErrorCode, errorCodeName, Http2ConnectionError, Setting } from "./frames.ts";
import type { SettingsEntry } from "./frames.ts";
import { HpackDecoder } from "./hpack-decoder.ts";
import { RequestHeaderEncoder } from "./hpack-encoder.ts";
import type { RequestHeaderBlocks } from "./hpack-encoder.ts";
import { ResponseHeadReader } from "./stream.ts";
import type { Http2Stream } from "./stream.ts";
import { SendFlow } from "./send-flow.ts";
import { StreamRegistry } from "./stream-registry.ts";

/** What a session writes to: a socket, or a test's recorder. */
export interface Transport {
  write(chunk: Buffer): void;
  /** Ends the connection after what was written; resolves once it is closed. */
  close(): Promise<void>;
}

export type SessionState = "connecting" | "open" | "draining" | "closed";

/**
 * Our SETTINGS (§6.5.2): no push (ENABLE_PUSH 0, and 0 streams the server may open), and the stream receive window.
 * The connection's follows as a WINDOW_UPDATE (§6.9.2: SETTINGS do not change it).
 */
function clientSettings(receiveWindowBytes: number): SettingsEntry[] {
  return [
    [Setting.ENABLE_PUSH, 0],
    [Setting.MAX_CONCURRENT_STREAMS, 0],
    [Setting.INITIAL_WINDOW_SIZE, receiveWindowBytes],
  ];
}

export class Http2Session implements FrameSink {
  /** The batch being written this turn: callers of `dataSpace` write their payload straight into it. */
  readonly out: FrameWriter;
  readonly #send: SendFlow;
  readonly #transport: Transport;
  readonly #onClosed: (session: Http2Session) => void;
  readonly #decoder = new FrameDecoder();
  readonly #hpack = new HpackDecoder();
  readonly #headers: RequestHeaderEncoder;
  readonly #streams = new StreamRegistry((stream) => this.#start(stream));
  readonly #receiveWindowBytes: number;
  readonly #receive: ReceiveWindow;
  readonly #heads = new ResponseHeadReader();
  #state: SessionState = "connecting";
  #peerInitialWindow = DEFAULT_INITIAL_WINDOW;
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
    this.#receiveWindowBytes = receiveWindowBytes;
    // The connection's window starts at 65,535 and a WINDOW_UPDATE can only grow it (§6.9.2).
    this.#receive = new ReceiveWindow(Math.max(DEFAULT_INITIAL_WINDOW, receiveWindowBytes));
    this.out = new FrameWriter((chunk) => transport.write(chunk));
    this.#send = new SendFlow(this.out);
    this.#headers = new RequestHeaderEncoder(headers);
    this.#onClosed = onClosed;
    this.out.bytes(CONNECTION_PREFACE);
    this.out.bytes(encodeSettings(clientSettings(receiveWindowBytes)));
    if (receiveWindowBytes > DEFAULT_INITIAL_WINDOW) this.out.windowUpdate(0, receiveWindowBytes - DEFAULT_INITIAL_WINDOW);
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

  /**
   * Writes a DATA frame header for a `length`-byte payload and returns where the payload goes in `out.buf`; the
   * caller writes it there at once. -1 when it cannot go now: then the caller hands the bytes to `queueData`.
   */
  dataSpace(stream: Http2Stream, length: number, endStream: boolean): number {
    return this.#send.dataSpace(stream, length, endStream);
  }

  /** Sends `data` on `stream` as windows allow (send-flow.ts), after its HEADERS if it is still queued. */
  queueData(stream: Http2Stream, data: Buffer, endStream: boolean): void {
    this.#send.queue(stream, data, endStream);
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
    this.#receive.receive(flowBytes);
    const stream = this.#streams.get(streamId);
    if (stream === undefined) this.#streams.checkPast(streamId, "DATA");
    else {
      stream.receiveWindow = windowAfterReceive(stream.receiveWindow, flowBytes, streamId);
      if (endStream) this.#remoteEnded(stream);
      else this.#giveStreamCredit(stream);
      stream.onData(data, endStream);
    }
    const credit = this.#receive.takeCredit();
    if (credit > 0) this.out.windowUpdate(0, credit);
    if (endStream) this.#streamEnded();
  }

  headers(streamId: number, block: Buffer, endStream: boolean): void {
    const head = this.#heads.read(this.#hpack, block); // always, so the table stays the server's (§4.3)
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      this.#streams.checkPast(streamId, "HEADERS");
      return;
    }
    if (!endStream && head.status >= 100 && head.status < 200) return; // §8.1: interim; the final head follows
    if (endStream) this.#remoteEnded(stream);
    stream.onHeaders(head, endStream);
    if (endStream) this.#streamEnded();
  }

  rstStream(streamId: number, code: number): void {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      this.#streams.checkPast(streamId, "RST_STREAM");
      return;
    }
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
          for (const stream of this.#streams.openStreams()) {
            stream.sendWindow = windowAfterInitialChange(stream.sendWindow, this.#peerInitialWindow, value, stream.streamId);
          }
          this.#peerInitialWindow = value;
          break;
        case Setting.MAX_FRAME_SIZE:
          this.#send.maxFrameSize = value;
          break;
        default:
          break; // ENABLE_PUSH (checked by the decoder), MAX_HEADER_LIST_SIZE (our header lists are small)
      }
    }
    this.out.settingsAck(); // §6.5.3, before any HEADERS encoded under them
    if (this.#state === "connecting") this.#state = "open";
    this.#send.pumpBlocked();
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
    if (streamId === 0) {
      this.#send.connectionUpdate(increment);
      return;
    }
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      this.#streams.checkPast(streamId, "WINDOW_UPDATE");
      return;
    }
    this.#send.streamUpdate(stream, increment);
  }

  /** A stream was opened (stream-registry.ts): its HEADERS, then any DATA that waited for it. */
  #start(stream: Http2Stream): void {
    stream.sendWindow = this.#peerInitialWindow;
    stream.receiveWindow = this.#receiveWindowBytes;
    this.out.headers(stream.streamId, this.#headers.next(), 0);
    this.#send.pump(stream);
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

  /** A long-lived stream whose receive window is half used gets it back (§6.9); short ones never get that far. */
  #giveStreamCredit(stream: Http2Stream): void {
    const credit = creditDue(stream.receiveWindow, this.#receiveWindowBytes);
    if (credit === 0) return;
    stream.receiveWindow += credit;
    this.out.windowUpdate(stream.streamId, credit);
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
    this.#send.clear();
    this.#streams.failAll(why);
    this.#onClosed(this);
  }

  #endTransport(): Promise<void> {
    this.#transportDone = true;
    this.out.close();
    return this.#transport.close();
  }
}
