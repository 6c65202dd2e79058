import { describe, expect, it } from "vitest";
import { primeClient } from "../../bench/load/prime.ts";
import type { BenchClient, SendCallback } from "../../contract/index.ts";

/** A client whose answers the test releases by hand; records the peak of requests in flight. */
function scriptedClient(fail: (seq: number) => boolean = () => false) {
  const waiting: { seq: number; done: SendCallback }[] = [];
  let peak = 0;
  const client: BenchClient = {
    warmUp: async () => {},
    send(seq, done) {
      waiting.push({ seq, done });
      peak = Math.max(peak, waiting.length);
    },
    get inFlight() {
      return waiting.length;
    },
    close: async () => {},
  };
  const answerAll = async (): Promise<void> => {
    for (const { seq, done } of waiting.splice(0)) done(fail(seq) ? { kind: "reset", message: "x" } : null);
    await Promise.resolve();
  };
  return { client, answerAll, peak: () => peak, seqs: () => waiting.map((w) => w.seq) };
}

describe("primeClient", () => {
  it("keeps exactly `concurrency` requests in flight until the count is sent, then resolves with the counts", async () => {
    const c = scriptedClient((seq) => seq % 5 === 0);
    let t = 0;
    const primed = primeClient(c.client, { requests: 10, concurrency: 4, maxMs: 1000 }, () => t);
    expect(c.seqs()).toEqual([1, 2, 3, 4]);
    await c.answerAll();
    expect(c.seqs()).toEqual([5, 6, 7, 8]);
    await c.answerAll();
    expect(c.seqs()).toEqual([9, 10]);
    t = 7;
    await c.answerAll();
    expect(await primed).toEqual({ requested: 10, completed: 8, failed: 2, elapsedMs: 7, timedOut: false });
    expect(c.peak()).toBe(4);
  });

  it("stops sending at maxMs and resolves once the requests in flight are answered", async () => {
    const c = scriptedClient();
    let t = 0;
    const primed = primeClient(c.client, { requests: 100, concurrency: 2, maxMs: 50 }, () => t);
    await c.answerAll();
    expect(c.seqs()).toEqual([3, 4]);
    t = 50;
    await c.answerAll();
    expect(c.seqs()).toEqual([]);
    expect(await primed).toEqual({ requested: 100, completed: 4, failed: 0, elapsedMs: 50, timedOut: true });
  });

  it("resolves at once for zero requests", async () => {
    const c = scriptedClient();
    expect(await primeClient(c.client, { requests: 0, concurrency: 4, maxMs: 1000 }, () => 0)).toMatchObject({ completed: 0, timedOut: false });
    expect(c.seqs()).toEqual([]);
  });

  it("does not recurse per request with a client that answers synchronously", async () => {
    let sent = 0;
    const client: BenchClient = { warmUp: async () => {}, send: (_seq, done) => (sent++, done(null)), inFlight: 0, close: async () => {} };
    const outcome = await primeClient(client, { requests: 50_000, concurrency: 1, maxMs: 1e9 }, () => 0);
    expect(outcome).toMatchObject({ completed: 50_000, failed: 0 });
    expect(sent).toBe(50_000);
  });
});
