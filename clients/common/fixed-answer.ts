/**
 * A client for an arm whose server answers every request with the same bytes (contract/arms.ts `server: "nginx"`):
 * nginx cannot echo a sequence number, so every request carries sequence number 0, which its fixed answer carries
 * too, and the client's own check then compares status, size and bytes with the answer every request must get.
 * The sequence number was only ever a check on the wire: HTTP/1.1 pairs an answer with its connection and HTTP/2
 * with its stream, so nothing else changes.
 */
import type { BenchClient, SendCallback } from "../../contract/index.ts";
import { warmUpAll } from "./outstanding.ts";

/** The sequence number of every request to a fixed-answer server, and of its answer (bench/run/nginx.ts). */
export const FIXED_ANSWER_SEQ = 0;

export function sendingFixedSeq(client: BenchClient, connections: number): BenchClient {
  return {
    // One request per connection, all at once: each client opens a connection for each (HTTP/1.1 carries one
    // request at a time; the HTTP/2 clients put each on the least-loaded connection, so one on each).
    warmUp: () => warmUpAll(connections, (_, done) => client.send(FIXED_ANSWER_SEQ, done)),
    send: (_seq: number, done: SendCallback) => client.send(FIXED_ANSWER_SEQ, done),
    get inFlight() {
      return client.inFlight;
    },
    close: () => client.close(),
    ...(client.onTlsHandshake === undefined ? {} : { onTlsHandshake: client.onTlsHandshake.bind(client) }),
  };
}
