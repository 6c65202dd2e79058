import { describe, expect, it } from "vitest";
import { encodeSettings, encodeWindowUpdate, Setting, MAX_WINDOW_BYTES } from "../../../clients/wire/http2/frames.ts";
import { data, harness, hex, RecordingStream, responseHeaders } from "./session-harness.ts";

/** The first request on a connection: its HEADERS index :path and :authority (hpack-encoder.ts). */
const HEADERS_1 = "HEADERS flags=4 stream=1 838644022f78410161";

function bytes(n: number): Buffer {
  return Buffer.alloc(n, 0xab);
}

describe("an HTTP/2 session's send windows", () => {
  it("sends a body larger than the stream's window as WINDOW_UPDATEs open it, END_STREAM with its last byte", async () => {
    const h = await harness([[Setting.INITIAL_WINDOW_SIZE, 10]]);
    const s = new RecordingStream();
    h.session.submit(s);
    h.session.send.queue(s, hex("00112233445566778899 aabbccddeeff0011 2233445566"), true); // 23 bytes
    expect((await h.written()).frames).toEqual([HEADERS_1, "DATA flags=0 stream=1 00112233445566778899"]);
    h.serve(encodeWindowUpdate(1, 10));
    expect((await h.written()).frames).toEqual(["DATA flags=0 stream=1 aabbccddeeff00112233"]);
    h.serve(encodeWindowUpdate(1, 100));
    expect((await h.written()).frames).toEqual(["DATA flags=1 stream=1 445566"]);
  });

  it("shares the connection's window between streams, and lets the waiting ones go on when it reopens", async () => {
    const h = await harness([[Setting.INITIAL_WINDOW_SIZE, 1_000_000]]);
    const [a, b] = [new RecordingStream(), new RecordingStream()];
    for (const s of [a, b]) {
      h.session.submit(s);
      h.session.send.queue(s, bytes(40_000), true);
    }
    // 65,535 bytes of connection window: all of a, 25,535 of b, in frames of at most 16,384
    expect((await h.written()).frames).toEqual([
      HEADERS_1,
      "DATA flags=0 stream=1 <16384 bytes>",
      "DATA flags=0 stream=1 <16384 bytes>",
      "DATA flags=1 stream=1 <7232 bytes>",
      "HEADERS flags=4 stream=3 8386bfbe",
      "DATA flags=0 stream=3 <16384 bytes>",
      "DATA flags=0 stream=3 <9151 bytes>",
    ]);
    h.serve(encodeWindowUpdate(3, 100_000)); // the stream's window is not what holds b back
    expect((await h.written()).frames).toEqual([]);
    h.serve(encodeWindowUpdate(0, 100_000));
    expect((await h.written()).frames).toEqual(["DATA flags=1 stream=3 <14465 bytes>"]);
  });

  it("takes an open stream's window below zero on a SETTINGS_INITIAL_WINDOW_SIZE decrease, and sends again once it is above", async () => {
    const h = await harness([[Setting.INITIAL_WINDOW_SIZE, 100]]);
    const s = new RecordingStream();
    h.session.submit(s);
    h.session.send.queue(s, bytes(80), false);
    expect((await h.written()).frames).toEqual([HEADERS_1, "DATA flags=0 stream=1 <80 bytes>"]);
    h.serve(encodeSettings([[Setting.INITIAL_WINDOW_SIZE, 50]])); // 20 + (50 - 100) = -30 (§6.9.2)
    h.session.send.queue(s, hex("0102030405060708090a"), true);
    expect((await h.written()).frames).toEqual(["SETTINGS flags=1 stream=0"]);
    h.serve(encodeWindowUpdate(1, 30)); // back to 0
    expect((await h.written()).frames).toEqual([]);
    h.serve(encodeWindowUpdate(1, 4));
    expect((await h.written()).frames).toEqual(["DATA flags=0 stream=1 01020304"]);
    h.serve(encodeSettings([[Setting.INITIAL_WINDOW_SIZE, 60]])); // an increase lets it go on: 0 + 10
    expect((await h.written()).frames).toEqual(["SETTINGS flags=1 stream=0", "DATA flags=1 stream=1 05060708090a"]);
    const later = new RecordingStream();
    h.session.submit(later);
    expect(h.session.send.dataSpace(later, 61, true)).toBe(-1); // a new stream starts at the new initial window
    expect(h.session.send.dataSpace(later, 60, true)).toBeGreaterThan(0);
  });

  it("fails the connection when a WINDOW_UPDATE or a SETTINGS change takes a window past 2^31-1", async () => {
    const connection = await harness();
    const a = new RecordingStream();
    connection.session.submit(a);
    connection.serve(encodeWindowUpdate(0, MAX_WINDOW_BYTES - 65_535));
    expect(a.events).toEqual([]);
    connection.serve(encodeWindowUpdate(0, 1));
    expect(a.events[0]).toMatch(/^abort protocol: .*FLOW_CONTROL_ERROR: WINDOW_UPDATE of 1 takes stream 0's window to 2147483648/);

    const stream = await harness();
    const b = new RecordingStream();
    stream.session.submit(b);
    stream.serve(encodeSettings([[Setting.INITIAL_WINDOW_SIZE, MAX_WINDOW_BYTES]]));
    stream.serve(encodeWindowUpdate(1, 1));
    expect(b.events[0]).toMatch(/^abort protocol: .*FLOW_CONTROL_ERROR: WINDOW_UPDATE of 1 takes stream 1's window/);

    const settings = await harness([[Setting.INITIAL_WINDOW_SIZE, 10]]);
    const c = new RecordingStream();
    settings.session.submit(c);
    settings.serve(encodeWindowUpdate(1, MAX_WINDOW_BYTES - 10));
    settings.serve(encodeSettings([[Setting.INITIAL_WINDOW_SIZE, 11]]));
    expect(c.events[0]).toMatch(/^abort protocol: .*FLOW_CONTROL_ERROR: SETTINGS_INITIAL_WINDOW_SIZE 11 takes stream 1's window/);
  });

  it("splits DATA at the server's SETTINGS_MAX_FRAME_SIZE, and writes larger frames once it is raised", async () => {
    const h = await harness([[Setting.INITIAL_WINDOW_SIZE, 1_000_000]]);
    const [a, b] = [new RecordingStream(), new RecordingStream()];
    h.session.submit(a);
    expect(h.session.send.dataSpace(a, 20_000, true)).toBe(-1);
    h.session.send.queue(a, bytes(20_000), true);
    expect((await h.written()).frames.slice(1)).toEqual(["DATA flags=0 stream=1 <16384 bytes>", "DATA flags=1 stream=1 <3616 bytes>"]);
    h.serve(encodeSettings([[Setting.MAX_FRAME_SIZE, 32_768]]), encodeWindowUpdate(0, 1_000_000));
    h.session.submit(b);
    const at = h.session.send.dataSpace(b, 20_000, true);
    h.session.out.buf.fill(0xcd, at, at + 20_000);
    expect((await h.written()).frames).toEqual(["SETTINGS flags=1 stream=0", "HEADERS flags=4 stream=3 8386bfbe", "DATA flags=1 stream=3 <20000 bytes>"]);
  });

  it("writes a payload in place only on an open stream with nothing waiting and room in both windows", async () => {
    const h = await harness([[Setting.INITIAL_WINDOW_SIZE, 100], [Setting.MAX_CONCURRENT_STREAMS, 1]]);
    const [a, b] = [new RecordingStream(), new RecordingStream()];
    h.session.submit(a);
    h.session.submit(b);
    expect(h.session.send.dataSpace(b, 1, true)).toBe(-1); // queued
    expect(h.session.send.dataSpace(a, 101, false)).toBe(-1); // above the stream window
    const at = h.session.send.dataSpace(a, 3, false);
    h.session.out.buf.set(hex("010203"), at);
    h.session.send.queue(a, bytes(200), false); // waits for window from byte 97 on
    expect(h.session.send.dataSpace(a, 1, true)).toBe(-1); // behind the waiting bytes
    expect((await h.written()).frames.slice(1)).toEqual(["DATA flags=0 stream=1 010203", "DATA flags=0 stream=1 <97 bytes>"]);
  });
});

describe("an HTTP/2 session's receive windows", () => {
  it("gives credit back for the connection and a long-lived stream once half the window is consumed, not per frame", async () => {
    const h = await harness([], 100_000);
    const [long, short] = [new RecordingStream(), new RecordingStream()];
    h.session.submit(long);
    h.session.submit(short);
    await h.written();
    h.serve(responseHeaders(1, false), data(1, bytes(12_500), false), data(1, bytes(12_500), false), data(3, bytes(12_499), true));
    expect((await h.written()).frames).toEqual(["RST_STREAM flags=0 stream=3 00000000"]); // 37,499 in: no credit yet
    h.serve(data(1, bytes(12_501), false)); // 50,000 on the connection, 37,501 on stream 1
    expect((await h.written()).frames).toEqual(["WINDOW_UPDATE flags=0 stream=0 0000c350"]);
    h.serve(data(1, bytes(12_499), false)); // 50,000 on stream 1
    expect((await h.written()).frames).toEqual(["WINDOW_UPDATE flags=0 stream=1 0000c350"]);
  });

  it("fails the connection when the server sends more than the window allows, padding included", async () => {
    const h = await harness([], 1_000);
    const s = new RecordingStream();
    h.session.submit(s);
    h.serve(data(1, bytes(600), false)); // credit for 600: the window is 1,000 again
    expect((await h.written()).frames.at(-1)).toBe("WINDOW_UPDATE flags=0 stream=1 00000258");
    h.serve(hex("0003e9 00 08 00000001 10"), bytes(1_000)); // 1,001 bytes: pad length, 984 of data, 16 of padding
    expect(s.events.at(-1)).toBe("abort protocol: HTTP/2 connection error: FLOW_CONTROL_ERROR: 1001 bytes of DATA on stream 1 with 1000 bytes of window left (§6.9.1)");
  });
});
