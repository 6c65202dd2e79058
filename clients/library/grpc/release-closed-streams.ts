/**
 * Lets a finished gRPC call's objects die in the young generation.
 *
 * Node keeps every closed http2 stream reachable from old space until the next full GC: `WritableState` stores
 * `this.onwrite = (er) => onwrite(stream, er)`, a function literal assigned to a property, which V8 allocates in old
 * space (parser `CheckAssigningFunctionLiteralToProperty` pretenures it), and `request()` defines accessors with fresh
 * closures through `AsyncResource#bind`. A scavenge treats those old objects as roots, so everything a closed stream
 * references survives it. grpc-js's stream listeners are closures over the whole call (Http2SubchannelCall → the
 * load-balancing, retrying and resolving calls → metadata → our callback), about 20 kB per call: at 1000 calls/s
 * a quarter of all allocation survived, the young generation grew to its limit and scavenges took 20–30 ms.
 * Dropping the listeners once the stream has closed leaves only node's own stream object to be retained.
 */

import { subscribe } from "node:diagnostics_channel";
import type { ClientHttp2Stream, OutgoingHttpHeaders } from "node:http2";

/** grpc-js's request content type (transport.js `createCall`); the HTTP/2 arms send application/x-protobuf. */
const GRPC_CONTENT_TYPE = "application/grpc";

let subscribed = false;

/** Idempotent; process-wide, because node announces client streams on a diagnostics channel, not per session. */
export function releaseClosedGrpcStreams(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe("http2.client.stream.created", onStreamCreated);
}

function onStreamCreated(message: unknown): void {
  const { stream, headers } = message as { stream: ClientHttp2Stream; headers?: OutgoingHttpHeaders };
  if (headers?.["content-type"] === GRPC_CONTENT_TYPE) stream.on("close", onStreamClosed);
}

function onStreamClosed(this: ClientHttp2Stream): void {
  // A stream emits nothing after 'close'; one more turn lets grpc-js finish its own 'close' work (process.nextTick).
  setImmediate(dropListeners, this);
}

function dropListeners(stream: ClientHttp2Stream): void {
  stream.removeAllListeners();
}
