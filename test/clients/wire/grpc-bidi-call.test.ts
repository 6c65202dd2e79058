import { describe, expect, it } from "vitest";
import { BidiCall } from "../../../clients/wire/grpc/bidi-call.ts";
import type { BidiRequest } from "../../../clients/wire/grpc/bidi-call.ts";
import { encodeRstStream, ErrorCode } from "../../../clients/wire/http2/frames.ts";
import { answerBytes, dataFrame, GRPC_HEAD, grpcTrailers, headersFrame } from "../../support/raw-http2-peer.ts";
import { harness } from "./session-harness.ts";
import type { Harness } from "./session-harness.ts";

const RESPONSE_BYTES = 20;
const BODY = new Uint8Array([1, 2, 3]);

function request(seq: number): BidiRequest {
  return { seq, deadlineMs: 0, done: () => {}, olderOutstanding: null, newerOutstanding: null };
}

async function call(): Promise<{ h: Harness; call: BidiCall<BidiRequest>; log: string[] }> {
  const h = await harness();
  const log: string[] = [];
  const c = new BidiCall<BidiRequest>({ answered: (req, outcome) => log.push(`${req.seq} ${outcome === null ? "ok" : `${outcome.kind}: ${outcome.message}`}`) }, h.session, RESPONSE_BYTES);
  h.session.submit(c);
  return { h, call: c, log };
}

const answer = (seq: number): Buffer => answerBytes(seq, RESPONSE_BYTES, true);

describe("a Bidi call on the wire", () => {
  it("writes each request as one message on its stream, and settles each by its answer", async () => {
    const { h, call: c, log } = await call();
    for (const seq of [1, 2, 3]) c.write(request(seq), BODY);
    expect(await h.written()).toEqual({
      frames: [
        expect.stringMatching(/^HEADERS flags=4 stream=1 /),
        "DATA flags=0 stream=1 000000000708011203010203", // prefix: uncompressed, 7 bytes; seq 1, a 3-byte body
        "DATA flags=0 stream=1 000000000708021203010203",
        "DATA flags=0 stream=1 000000000708031203010203",
      ],
      writes: 1,
    });
    h.serve(headersFrame(1, GRPC_HEAD, false), dataFrame(1, Buffer.concat([answer(1), answer(2)]), false), dataFrame(1, answer(3), false));
    expect(log).toEqual(["1 ok", "2 ok", "3 ok"]);
  });

  it("drops a timed-out request's late answer, and passes over one whose answer never came", async () => {
    const { h, call: c, log } = await call();
    const reqs = [1, 2, 3].map(request);
    for (const req of reqs) c.write(req, BODY);
    reqs[0]!.done = null;
    h.serve(headersFrame(1, GRPC_HEAD, false), dataFrame(1, answer(1), false));
    reqs[1]!.done = null;
    h.serve(dataFrame(1, answer(3), false));
    expect(log).toEqual(["3 ok"]);
  });

  it("counts an answer with another seq as the oldest pending request's mismatch", async () => {
    const { h, call: c, log } = await call();
    c.write(request(5), BODY);
    c.write(request(6), BODY);
    h.serve(headersFrame(1, GRPC_HEAD, false), dataFrame(1, answer(7), false), dataFrame(1, answer(6), false));
    expect(log).toEqual(["5 mismatch: sent seq 5, got seq 7 with a 20-byte body", "6 ok"]);
  });

  it("fails everything pending with the call's status when it ends, and a later request at once", async () => {
    const { h, call: c, log } = await call();
    c.write(request(1), BODY);
    c.write(request(2), BODY);
    h.serve(headersFrame(1, Buffer.concat([GRPC_HEAD, grpcTrailers(14, "going away")]), true));
    expect([c.ended, log]).toEqual([true, ["1 reset: going away", "2 reset: going away"]]);
    c.write(request(3), BODY);
    expect(log.at(-1)).toBe("3 reset: Bidi call ended with requests pending");
  });

  it("ends an OK call with pending requests as a reset, and one cut inside a message as protocol", async () => {
    const ok = await call();
    ok.call.write(request(1), BODY);
    ok.h.serve(headersFrame(1, GRPC_HEAD, false), headersFrame(1, grpcTrailers(0), true));
    expect(ok.log).toEqual(["1 reset: Bidi call ended with requests pending"]);
    const cut = await call();
    cut.call.write(request(1), BODY);
    cut.h.serve(headersFrame(1, GRPC_HEAD, false), dataFrame(1, answer(1).subarray(0, 10), true));
    expect(cut.log).toEqual(["1 protocol: the Bidi stream ended inside a message (10 bytes of it)"]);
  });

  it("fails the call with protocol on a compressed message, and resets its stream", async () => {
    const { h, call: c, log } = await call();
    c.write(request(1), BODY);
    await h.written();
    const compressed = answer(1);
    compressed[0] = 1;
    h.serve(headersFrame(1, GRPC_HEAD, false), dataFrame(1, compressed, false));
    expect(log).toEqual(["1 protocol: compressed flag 1 on a message, but no grpc-encoding was negotiated"]);
    expect((await h.written()).frames).toEqual(["RST_STREAM flags=0 stream=1 00000008"]);
  });

  it("fails what is pending with reset when the server resets the call", async () => {
    const { h, call: c, log } = await call();
    c.write(request(1), BODY);
    h.serve(encodeRstStream(1, ErrorCode.INTERNAL_ERROR));
    expect(log).toEqual(["1 reset: the server reset stream 1 (INTERNAL_ERROR)"]);
  });
});
