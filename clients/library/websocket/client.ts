/**
 * WebSocket client for the `ws` and `wss` arms: undici's `WebSocket` — the implementation Node ships as its global
 * `WebSocket`, taken from the undici package.json pins (8.x, Node 24 bundles 7.x) so the `wss` arm can be handed the
 * run's CA through an undici `Agent`, which the global one, built against Node's own undici, would not take.
 *
 * One WebSocket per `connections`, opened at warm-up; each request is one binary message on it, up to `streams` of
 * them unanswered per connection (more wait in the client's FIFO, clients/common/slot-queue.ts), and the answers are
 * paired by clients/common/message-lane.ts. A connection that closes fails what is pending on it, and the next
 * request on its slot opens a new one. undici masks every frame it sends (RFC 6455 §5.3) and answers pings with
 * pongs; it offers permessage-deflate, which servers/websocket declines.
 */

import { Agent, buildConnector, WebSocket } from "undici";
import type { CloseEvent, MessageEvent } from "undici";
import { closeFailure, MessageLane, MessageRequest } from "../../common/message-lane.ts";
import { checkClientOptions, CLOSED_FAILURE, Outstanding, urlHost, warmUpAll } from "../../common/outstanding.ts";
import { SlotQueue } from "../../common/slot-queue.ts";
import { armServedBy, TLS_SERVER_NAME } from "../../../contract/index.ts";
import { clientSecureContext } from "../../common/tls-context.ts";
import type { BenchClient, ClientOptions, SendCallback } from "../../../contract/index.ts";
import { encodePayload, makeBody, WEBSOCKET_PATH } from "../../../proto/codec.ts";

/** How long `close()` waits for the server's close frames. */
const CLOSE_WAIT_MS = 2_000;

/** A connection's place: its WebSocket and lane (null until the first request on it, or after it closed). */
interface Slot {
  active: number;
  socket: WebSocket | null;
  lane: MessageLane<MessageRequest> | null;
  /** Messages written before the socket opened, sent on `open` (the API refuses a send while CONNECTING). */
  early: Buffer[];
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const arm = armServedBy(opts.protocol, "websocket", "clients/library/websocket");
  if (arm.tls && opts.caPem === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.caPem`);
  const url = `${arm.tls ? "wss" : "ws"}://${urlHost(opts.host)}:${opts.port}${WEBSOCKET_PATH}`;
  // The WebSocket API tells a page no reason when a connection fails (a close 1006, nothing more), so the client
  // keeps the connector's last error to name it: a refused port, a TLS alert.
  let lastConnectError: Error | null = null;
  const connect = buildConnector({
    // The per-run certificate names localhost (bench/run/tls.ts).
    ...(arm.tls ? { secureContext: clientSecureContext(opts.caPem ?? "", opts.tlsParameters), servername: TLS_SERVER_NAME } : {}),
    timeout: opts.requestTimeoutMs,
  });
  const dispatcher = new Agent({
    connect: (options, callback) =>
      connect(options, (...args) => {
        lastConnectError = args[0];
        callback(...args);
      }),
  });
  const body = makeBody(opts.requestBytes);
  const slots: Slot[] = Array.from({ length: opts.connections }, () => ({ active: 0, socket: null, lane: null, early: [] }));
  const outstanding = new Outstanding<MessageRequest>(opts.requestTimeoutMs, (req) => req.lane?.expire(req));
  const queue = new SlotQueue<Slot, MessageRequest>(slots, opts.streams, (slot, req) => start(slot, req));
  let closed = false;
  let openSockets = 0;
  let allClosed: (() => void) | null = null;

  function open(slot: Slot): MessageLane<MessageRequest> {
    const lane = new MessageLane<MessageRequest>(
      opts.responseBytes,
      (r, outcome) => outstanding.settle(r, outcome),
      (count) => queue.release(slot, count),
    );
    const socket = new WebSocket(url, { dispatcher });
    socket.binaryType = "arraybuffer";
    let opened = false;
    openSockets++;
    socket.addEventListener("open", () => {
      opened = true;
      for (const bytes of slot.early) socket.send(bytes);
      slot.early = [];
    });
    socket.addEventListener("message", (event: MessageEvent) => {
      const data = event.data;
      const ok = data instanceof ArrayBuffer ? lane.answer(new Uint8Array(data)) : false;
      // A text message, or an answer to nothing: the lane can no longer pair answers with requests.
      // (The API lets a page close only with 1000 or 3000-4999: 4000 is ours.)
      if (!ok) socket.close(4000, "unexpected message");
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      if (slot.socket === socket) {
        slot.socket = null;
        slot.lane = null;
        slot.early = [];
      }
      const failure = closeFailure(event.code, event.reason, opened);
      lane.end(opened || lastConnectError === null ? failure : { kind: failure.kind, message: `${failure.message}: ${lastConnectError.message}` });
      if (--openSockets === 0) allClosed?.();
    });
    slot.socket = socket;
    slot.lane = lane;
    return lane;
  }

  function start(slot: Slot, req: MessageRequest): void {
    const lane = slot.lane !== null && !slot.lane.ended ? slot.lane : open(slot);
    req.lane = lane;
    lane.sent(req);
    const bytes = encodePayload(req.seq, body);
    const socket = slot.socket as WebSocket;
    if (socket.readyState === WebSocket.OPEN) socket.send(bytes);
    else slot.early.push(bytes);
  }

  function submit(req: MessageRequest, slot: Slot | null): void {
    outstanding.add(req);
    if (slot === null) queue.submit(req);
    else queue.startOn(slot, req);
  }

  return {
    // One request on every connection: opens each WebSocket and finishes its handshake before load starts.
    warmUp: () => warmUpAll(slots.length, (i, done) => submit(new MessageRequest(i, done), slots[i] as Slot)),
    send(seq: number, done: SendCallback) {
      if (closed) {
        done(CLOSED_FAILURE);
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
      for (const slot of slots) slot.socket?.close(1000);
      // A server that never answers the close frame must not hold the generator: undici drops the TCP connection
      // itself later, and the dispatcher's close below ends whatever is left.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allDone, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
      await dispatcher.destroy();
    },
  };
}
