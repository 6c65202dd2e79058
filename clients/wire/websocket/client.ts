/**
 * The wire-level WebSocket client for the `ws` and `wss` arms: raw `net` (or `tls`) sockets, the handshake and
 * framing of RFC 6455 written here (connection.ts, frames.ts) in place of undici's WebSocket.
 *
 * One connection per `connections`, opened at warm-up; each request is one masked binary message, up to `streams`
 * unanswered per connection (more wait in the client's FIFO), the answers paired in order by
 * clients/common/message-lane.ts, as the library client (clients/library/websocket/client.ts) pairs them. A
 * connection that ends fails what is pending on it, and the next request on its slot opens a new one.
 */

import { failure, failureFromError } from "../../common/error-kind.ts";
import { MessageLane, MessageRequest } from "../../common/message-lane.ts";
import { checkClientOptions, CLOSED_FAILURE, Outstanding, urlHost, warmUpAll } from "../../common/outstanding.ts";
import { SlotQueue } from "../../common/slot-queue.ts";
import { armServedBy, TLS_SERVER_NAME } from "../../../contract/index.ts";
import { clientSecureContext } from "../../common/tls-context.ts";
import type { BenchClient, ClientOptions, SendCallback } from "../../../contract/index.ts";
import { encodePayload, makeBody, MAX_BODY_BYTES } from "../../../proto/codec.ts";
import { WsConnection } from "./connection.ts";
import type { WsContext } from "./connection.ts";
import { MaskKeys } from "./frames.ts";

/** The socket read buffer, shared by every connection of a client: as large as a read of Node's own streams. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Largest answer read: the largest body plus its payload framing, as servers/websocket accepts for requests. */
const MAX_MESSAGE_BYTES = MAX_BODY_BYTES + 32;

interface Slot {
  active: number;
  conn: WsConnection<MessageRequest> | null;
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const arm = armServedBy(opts.protocol, "websocket", "clients/wire/websocket");
  if (arm.tls && opts.caPem === undefined) throw new TypeError(`${opts.protocol} runs over TLS: clients/wire/websocket needs caPem`);
  const ctx: WsContext = {
    host: opts.host,
    port: opts.port,
    authority: `${urlHost(opts.host)}:${opts.port}`,
    // The run's certificate names localhost (bench/run/tls.ts).
    tls: arm.tls ? { secureContext: clientSecureContext(opts.caPem ?? "", opts.tlsParameters), servername: TLS_SERVER_NAME } : null,
    keys: new MaskKeys(),
    maxMessageBytes: MAX_MESSAGE_BYTES,
    readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
  };
  const body = makeBody(opts.requestBytes);
  const slots: Slot[] = Array.from({ length: opts.connections }, () => ({ active: 0, conn: null }));
  const outstanding = new Outstanding<MessageRequest>(opts.requestTimeoutMs, (req) => req.lane?.expire(req));
  const queue = new SlotQueue<Slot, MessageRequest>(slots, opts.streams, (slot, req) => start(slot, req));
  let closed = false;
  let openSockets = 0;
  let allClosed: (() => void) | null = null;

  function start(slot: Slot, req: MessageRequest): void {
    let conn = slot.conn;
    if (conn === null || conn.lane.ended) {
      const lane = new MessageLane<MessageRequest>(
        opts.responseBytes,
        (r, outcome) => outstanding.settle(r, outcome),
        (count) => queue.release(slot, count),
      );
      try {
        conn = new WsConnection<MessageRequest>(ctx, lane, () => {
          if (slot.conn === conn) slot.conn = null;
          if (--openSockets === 0) allClosed?.();
        });
      } catch (err) {
        // net.connect throws at once on what it cannot even try (a bad port): the request fails, the slot frees.
        outstanding.settle(req, failureFromError(err));
        queue.release(slot, 1);
        return;
      }
      slot.conn = conn;
      openSockets++;
    }
    req.lane = conn.lane;
    conn.send(req, encodePayload(req.seq, body));
  }

  function submit(req: MessageRequest, slot: Slot | null): void {
    outstanding.add(req);
    if (slot === null) queue.submit(req);
    else queue.startOn(slot, req);
  }

  return {
    // One request on every slot: opens every connection and finishes its handshake before load starts.
    warmUp: () => warmUpAll(slots.length, (i, done) => submit(new MessageRequest(i, done), slots[i] as Slot)),
    send(seq: number, done: SendCallback) {
      if (closed) {
        done(CLOSED_FAILURE);
        return;
      }
      if (!Number.isSafeInteger(seq) || seq < 0) {
        done(failure("other", `seq must be a safe non-negative integer, got ${seq}`));
        return;
      }
      submit(new MessageRequest(seq, done), null);
    },
    get inFlight() {
      return outstanding.size;
    },
    async close() {
      if (closed) return;
      closed = true;
      queue.close();
      outstanding.failAll(CLOSED_FAILURE);
      outstanding.stop();
      const allDone = openSockets === 0 ? Promise.resolve() : new Promise<void>((resolve) => (allClosed = resolve));
      for (const slot of slots) slot.conn?.close(1000, CLOSED_FAILURE);
      await allDone;
    },
  };
}
