import { describe, expect, it } from "vitest";
import { FrameWriter } from "../../../clients/wire/http2/frame-writer.ts";
import { ErrorCode } from "../../../clients/wire/http2/frames.ts";
import { tick } from "./session-harness.ts";

describe("FrameWriter", () => {
  it("hands on everything written in one turn as one chunk on the next tick", async () => {
    const chunks: string[] = [];
    const writer = new FrameWriter((chunk) => chunks.push(chunk.toString("hex")));
    writer.rstStream(1, ErrorCode.CANCEL);
    writer.windowUpdate(0, 1000);
    writer.settingsAck();
    expect(chunks).toEqual([]);
    await tick();
    expect(chunks).toEqual(["000004030000000001" + "00000008" + "000004080000000000" + "000003e8" + "000000040100000000"]);
    await tick();
    expect(chunks).toHaveLength(1);
    writer.pingAck(Buffer.from("0102030405060708", "hex"));
    await tick();
    expect(chunks[1]).toBe("000008060100000000" + "0102030405060708");
  });

  it("never writes over bytes it handed on: a full arena is replaced, and unsent bytes move with it", async () => {
    const chunks: Buffer[] = [];
    const writer = new FrameWriter((chunk) => chunks.push(chunk));
    const first = writer.frame(60_000, 0, 0, 1);
    writer.buf.fill(0x11, first, first + 60_000);
    writer.flush();
    const handedOn = Buffer.from(chunks[0]!);
    const second = writer.frame(3_000, 0, 0, 3); // fits after the first
    writer.buf.fill(0x22, second, second + 3_000);
    const third = writer.frame(10_000, 0, 0, 5); // past 64 KiB: a new arena, and the unsent second frame moves to it
    writer.buf.fill(0x33, third, third + 10_000);
    expect(writer.pending).toBe(13_018);
    writer.flush();
    expect(chunks[0]!.equals(handedOn)).toBe(true);
    expect(chunks[1]!.length).toBe(13_018);
    expect([chunks[1]![9], chunks[1]![3_008], chunks[1]![3_018], chunks[1]!.at(-1)]).toEqual([0x22, 0x22, 0x33, 0x33]);
  });

  it("hands on nothing once closed", async () => {
    const chunks: Buffer[] = [];
    const writer = new FrameWriter((chunk) => chunks.push(chunk));
    writer.goaway(ErrorCode.NO_ERROR, "");
    writer.close();
    await tick();
    expect(chunks).toEqual([]);
  });
});
