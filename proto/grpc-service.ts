/**
 * The `wirecost.Bench` service as grpc-js sees it, loaded by @grpc/proto-loader from bench.proto. Servers and
 * clients of the gRPC arms share this one definition, so both ends use protobufjs with the same options (the codec
 * in codec.ts is pinned to produce the same bytes, so gRPC and the HTTP arms carry identical payloads).
 */

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { MAX_BODY_BYTES } from "./codec.ts";

/** A `wirecost.Payload` as protobufjs hands it over with the options below. */
export interface PayloadMessage {
  seq: number;
  body: Uint8Array;
}

export type BenchClient = grpc.Client & {
  Unary(request: PayloadMessage, options: grpc.CallOptions, callback: grpc.requestCallback<PayloadMessage>): grpc.ClientUnaryCall;
  ServerStream(request: PayloadMessage, options?: grpc.CallOptions): grpc.ClientReadableStream<PayloadMessage>;
  Bidi(options?: grpc.CallOptions): grpc.ClientDuplexStream<PayloadMessage, PayloadMessage>;
};

export interface BenchService {
  readonly definition: grpc.ServiceDefinition;
  readonly Client: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => BenchClient;
}

/** Room for the protobuf and gRPC framing around the largest body, so grpc-js's 4 MiB default does not cut it. */
export const MAX_GRPC_MESSAGE_BYTES = MAX_BODY_BYTES + 64;

const PROTO_PATH = fileURLToPath(new URL("./bench.proto", import.meta.url));

let cached: BenchService | undefined;

export function loadBenchService(): BenchService {
  if (cached !== undefined) return cached;
  const definition = protoLoader.loadSync(PROTO_PATH, {
    keepCase: true,
    longs: Number,
    bytes: Buffer,
    // An absent field (seq 0 from a foreign encoder) must still read as 0 / empty, not undefined.
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    wirecost: { Bench: grpc.ServiceClientConstructor };
  };
  const ctor = loaded.wirecost.Bench;
  cached = { definition: ctor.service, Client: ctor as unknown as BenchService["Client"] };
  return cached;
}

/** A grpc-js target or bind address; IPv6 literals need brackets. */
export function grpcAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
