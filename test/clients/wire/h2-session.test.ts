import { describe, expect, it } from "vitest";
import { encodeFrame, encodeGoaway, encodePing, encodeRstStream, encodeSettings, encodeWindowUpdate, ErrorCode, Flag, FrameType, Setting } from "../../../clients/wire/http2/frames.ts";
import { Http2Session } from "../../../clients/wire/http2/session.ts";
import { data, harness, HEADERS, hex, RecordingStream, RecordingTransport, responseHeaders, framesOf, tick } from "./session-harness.ts";

/** The first block on a connection indexes :path and :authority; later ones refer to them (hpack-encoder.ts). */
const INDEXING = "8386 44022f78 410161".replaceAll(" ", "");
const INDEXED = "8386bfbe";

/** One frame as `framesOf` writes it; spaces in the payload are for reading only. */
function line(type: string, flags: number, stream: number, payload = ""): string {
  return `${type} flags=${flags} stream=${stream} ${payload.replaceAll(" ", "")}`.trimEnd();
}

describe("an HTTP/2 session", () => {
  it("opens with the preface, its SETTINGS and a connection WINDOW_UPDATE, in one write", async () => {
    const transport = new RecordingTransport();
    new Http2Session(transport, HEADERS, () => {});
    await tick();
    expect(transport.writes).toHaveLength(1);
    const bytes = transport.writes[0] as Buffer;
    expect(bytes.subarray(0, 24).toString("latin1")).toBe("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    expect(framesOf(bytes)).toEqual([
      line("SETTINGS", 0, 0, "0002 00000000  0003 00000000  0004 3fffffff"), // no push; 2^30-1 stream window
      line("WINDOW_UPDATE", 0, 0, "3fff0000"), // the connection's window to 2^30-1 too
    ]);
  });

  it("holds requests until the server's SETTINGS, then ACKs them and sends every HEADERS in the same write", async () => {
    const h = await harness(null);
    const streams = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    for (const s of streams) h.session.submit(s);
    expect(await h.written()).toEqual({ frames: [], writes: 0 });
    expect(streams.map((s) => s.streamState)).toEqual(["queued", "queued", "queued"]);
    h.serve(encodeSettings([[Setting.MAX_CONCURRENT_STREAMS, 100]]));
    expect(await h.written()).toEqual({
      frames: ["SETTINGS flags=1 stream=0", `HEADERS flags=4 stream=1 ${INDEXING}`, `HEADERS flags=4 stream=3 ${INDEXED}`, `HEADERS flags=4 stream=5 ${INDEXED}`],
      writes: 1,
    });
    expect(streams.map((s) => [s.streamId, s.streamState])).toEqual([[1, "open"], [3, "open"], [5, "open"]]);
  });

  it("keeps at most the server's MAX_CONCURRENT_STREAMS open, and opens a waiting stream as one closes", async () => {
    const h = await harness([[Setting.MAX_CONCURRENT_STREAMS, 2]]);
    const [a, b, c] = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    for (const s of [a, b, c]) {
      h.session.submit(s);
      h.session.send.queue(s, hex("07"), true);
    }
    expect((await h.written()).frames).toEqual([
      `HEADERS flags=4 stream=1 ${INDEXING}`,
      "DATA flags=1 stream=1 07",
      `HEADERS flags=4 stream=3 ${INDEXED}`,
      "DATA flags=1 stream=3 07",
    ]);
    expect([h.session.openStreams, c.streamState]).toEqual([2, "queued"]);
    h.serve(responseHeaders(1, true));
    expect(a.events).toEqual(["headers 200 end=true"]);
    expect((await h.written()).frames).toEqual([`HEADERS flags=4 stream=5 ${INDEXED}`, "DATA flags=1 stream=5 07"]);
    expect([c.streamId, h.session.openStreams]).toEqual([5, 2]);
  });

  it("hands on a response: head, DATA, trailers, with the stream closed before the last event", async () => {
    const h = await harness();
    const s = new RecordingStream();
    h.session.submit(s);
    h.session.send.queue(s, hex("0102"), true);
    expect((await h.written()).frames).toEqual([`HEADERS flags=4 stream=1 ${INDEXING}`, "DATA flags=1 stream=1 0102"]);
    h.serve(responseHeaders(1, false), data(1, hex("aa"), false), data(1, hex("bbcc"), false));
    // trailers: grpc-status 0 as a literal without indexing, a new name
    h.serve(responseHeaders(1, true, Buffer.concat([hex("00 0b"), Buffer.from("grpc-status"), hex("01 30")])));
    expect(s.events).toEqual(["headers 200 end=false", "data aa end=false", "data bbcc end=false", "headers 0 grpc-status 0 end=true"]);
    expect([s.streamState, h.session.openStreams]).toEqual(["closed", 0]);
    expect((await h.written()).frames).toEqual([]); // our side had ended: nothing to reset
  });

  it("reads a header block split over HEADERS and CONTINUATION, and uses the HPACK table across responses", async () => {
    const h = await harness();
    const [a, b] = [new RecordingStream(), new RecordingStream()];
    h.session.submit(a);
    h.session.submit(b);
    h.session.send.queue(a, hex(""), true);
    h.session.send.queue(b, hex(""), true);
    // ":status: 299" with incremental indexing (name index 8), in two fragments; then the same field by index 62
    h.serve(
      encodeFrame(FrameType.HEADERS, Flag.END_STREAM, 1, hex("48 03 32")),
      encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, hex("3939")),
      responseHeaders(3, true, hex("be")),
    );
    expect([a.events, b.events]).toEqual([["headers 299 end=true"], ["headers 299 end=true"]]);
  });

  it("skips an interim 1xx head and hands on the final one (RFC 9113 §8.1)", async () => {
    const h = await harness();
    const s = new RecordingStream();
    h.session.submit(s);
    h.serve(responseHeaders(1, false, hex("08 03 313030")), responseHeaders(1, false));
    expect(s.events).toEqual(["headers 200 end=false"]);
  });

  it("answers a PING with a PING ACK carrying its payload, and ignores a PING ACK", async () => {
    const h = await harness();
    h.serve(encodePing(hex("0102030405060708"), false), encodePing(hex("1111111111111111"), true));
    expect((await h.written()).frames).toEqual(["PING flags=1 stream=0 0102030405060708"]);
  });

  it("fails a stream the server resets with reset, and keeps the connection for the others", async () => {
    const h = await harness();
    const [a, b] = [new RecordingStream(), new RecordingStream()];
    h.session.submit(a);
    h.session.submit(b);
    h.serve(encodeRstStream(3, ErrorCode.REFUSED_STREAM));
    expect(b.events).toEqual(["abort reset: the server reset stream 3 (REFUSED_STREAM)"]);
    expect([h.session.usable, h.session.openStreams]).toEqual([true, 1]);
    h.serve(responseHeaders(1, true), data(3, hex("ff"), true)); // DATA in flight on the reset stream: dropped
    expect(a.events).toEqual(["headers 200 end=true"]);
    expect(h.session.state).toBe("open");
  });

  it("on GOAWAY fails the streams above its last stream id, lets the others finish, then closes", async () => {
    const h = await harness();
    const streams = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    for (const s of streams) h.session.submit(s);
    await h.written();
    h.serve(encodeGoaway(1, ErrorCode.NO_ERROR, "bye"));
    expect(streams.map((s) => s.events)).toEqual([
      [],
      ["abort reset: the server sent GOAWAY (NO_ERROR: bye) for streams above 1"],
      ["abort reset: the server sent GOAWAY (NO_ERROR: bye) for streams above 1"],
    ]);
    expect([h.session.state, h.session.usable, h.transport.closed]).toEqual(["draining", false, false]);
    const late = new RecordingStream();
    h.session.submit(late);
    expect(late.events).toEqual(["abort reset: the connection is draining"]);
    h.serve(responseHeaders(1, true));
    expect(streams[0]?.events).toEqual(["headers 200 end=true"]);
    expect([h.session.state, h.transport.closed, h.closedCount()]).toEqual(["closed", true, 1]);
    expect((await h.written()).frames).toEqual(["RST_STREAM flags=0 stream=1 00000000", "GOAWAY flags=0 stream=0 0000000000000000"]);
  });

  it("fails every stream with protocol on a malformed frame, and sends GOAWAY with the error code", async () => {
    const h = await harness();
    const [a, b] = [new RecordingStream(), new RecordingStream()];
    h.session.submit(a);
    h.session.submit(b);
    await h.written();
    h.serve(hex("000003 08 00 00000000 000001")); // a 3-byte WINDOW_UPDATE
    const message = "protocol: HTTP/2 connection error: FRAME_SIZE_ERROR: a 3-byte WINDOW_UPDATE frame (§6.9)";
    expect([a.events, b.events]).toEqual([[`abort ${message}`], [`abort ${message}`]]);
    expect([h.session.state, h.session.usable, h.transport.closed, h.closedCount()]).toEqual(["closed", false, true, 1]);
    const debug = Buffer.from("FRAME_SIZE_ERROR: a 3-byte WINDOW_UPDATE frame (§6.9)").toString("hex");
    expect(await h.written()).toEqual({ frames: [line("GOAWAY", 0, 0, `00000000 00000006 ${debug}`)], writes: 1 });
    h.serve(encodePing(hex("0000000000000000"), false)); // nothing is read after the error
    expect((await h.written()).frames).toEqual([]);
  });

  it("treats frames for a stream it never opened as a connection error, and frames for one it closed as in flight", async () => {
    const closedStreamFrames = await harness();
    const s = new RecordingStream();
    closedStreamFrames.session.submit(s);
    closedStreamFrames.serve(responseHeaders(1, true));
    closedStreamFrames.serve(data(1, hex("00"), false), encodeWindowUpdate(1, 10), encodeRstStream(1, ErrorCode.CANCEL), responseHeaders(1, true));
    expect(closedStreamFrames.session.state).toBe("open");
    for (const frame of [data(3, hex("00"), true), responseHeaders(2, true), encodeRstStream(5, ErrorCode.CANCEL), encodeWindowUpdate(7, 1)]) {
      const h = await harness();
      const t = new RecordingStream();
      h.session.submit(t);
      h.serve(frame);
      expect(t.events[0]).toMatch(/^abort protocol: HTTP\/2 connection error: PROTOCOL_ERROR: \w+ on stream \d, which the client never opened/);
    }
  });

  it("refuses a PUSH_PROMISE as a protocol error", async () => {
    const h = await harness();
    const s = new RecordingStream();
    h.session.submit(s);
    h.serve(encodeFrame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, hex("00000002 88")));
    expect(s.events).toEqual(["abort protocol: HTTP/2 connection error: PROTOCOL_ERROR: PUSH_PROMISE, though push is disabled (SETTINGS_ENABLE_PUSH 0)"]);
  });

  it("resets its own side with NO_ERROR when the server ends the stream first (RFC 9113 §8.1)", async () => {
    const h = await harness();
    const s = new RecordingStream();
    h.session.submit(s);
    await h.written();
    h.serve(responseHeaders(1, true));
    expect((await h.written()).frames).toEqual(["RST_STREAM flags=0 stream=1 00000000"]);
  });

  it("cancels an open stream with RST_STREAM CANCEL and no event, and skips a queued one", async () => {
    const h = await harness([[Setting.MAX_CONCURRENT_STREAMS, 1]]);
    const [a, b, c] = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    for (const s of [a, b, c]) h.session.submit(s);
    h.session.cancel(b); // queued: never opened
    await h.written();
    h.session.cancel(a);
    h.serve(responseHeaders(1, true));
    expect((await h.written()).frames).toEqual(["RST_STREAM flags=0 stream=1 00000008", `HEADERS flags=4 stream=3 ${INDEXED}`]);
    expect([a.events, b.events, c.streamId, b.streamState]).toEqual([[], [], 3, "closed"]);
  });

  it("fails every stream, open or waiting, with the transport's failure when it closes", async () => {
    const h = await harness([[Setting.MAX_CONCURRENT_STREAMS, 1]]);
    const [a, b] = [new RecordingStream(), new RecordingStream()];
    h.session.submit(a);
    h.session.submit(b);
    h.session.transportClosed({ kind: "reset", message: "gone" });
    expect([a.events, b.events, h.session.state, h.closedCount()]).toEqual([["abort reset: gone"], ["abort reset: gone"], "closed", 1]);
    h.session.transportClosed({ kind: "reset", message: "again" });
    expect(h.closedCount()).toBe(1);
  });

  it("sends a dynamic table size update and literals when the server's HPACK table is too small", async () => {
    const h = await harness([[Setting.HEADER_TABLE_SIZE, 0]]);
    h.session.submit(new RecordingStream());
    h.session.submit(new RecordingStream());
    expect((await h.written()).frames).toEqual([
      line("HEADERS", 4, 1, "20  8386 04022f78 010161"), // a size update to 0, then literals without indexing
      line("HEADERS", 4, 3, "8386 04022f78 010161"),
    ]);
  });
});
