/**
 * A user gRPC server's request, built from its `.proto` with @grpc/proto-loader as ghz does: the method named
 * `package.Service/Method` is looked up, must be unary for `grpc` (each request one call) or bidi streaming for
 * `grpc-stream` (each request one message on a long-lived call), and the entry's `message` object is serialized
 * by the method's own request serializer — once, before the run, so a typo is an exit 2 naming the key and not a
 * scenario full of INVALID_ARGUMENT answers.
 */
import { loadSync } from "@grpc/proto-loader";
import type { MethodDefinition } from "@grpc/proto-loader";

export interface GrpcRequest {
  /** `/package.Service/Method`, the call's `:path`. */
  readonly path: string;
  /** The serialized request message, without the gRPC length prefix. */
  readonly message: Buffer;
}

/**
 * Serializes `message` for `method` of `protoPath`; throws an Error whose message is the reason (the caller names
 * the entry and key). Fields are matched by their names in the `.proto` (`keepCase`).
 */
export function grpcRequestFromProto(protoPath: string, method: string, message: Readonly<Record<string, unknown>>, kind: "unary" | "bidi" = "unary"): GrpcRequest {
  const slash = method.lastIndexOf("/");
  if (slash <= 0 || slash === method.length - 1) throw new Error(`method "${method}": write it as package.Service/Method`);
  const service = method.slice(0, slash);
  const name = method.slice(slash + 1);
  let definition;
  try {
    definition = loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  } catch (error) {
    throw new Error(`${protoPath}: ${(error as Error).message.split("\n")[0] ?? "cannot be loaded"}`);
  }
  const methods = definition[service];
  const found = methods !== undefined && !("format" in methods) ? (methods[name] as MethodDefinition<object, object> | undefined) : undefined;
  if (found === undefined) {
    const services = Object.keys(definition).filter((key) => !("format" in (definition[key] ?? {})));
    throw new Error(`method "${method}" is not in ${protoPath}; its services are ${services.join(", ") || "none"}`);
  }
  if (kind === "unary" && (found.requestStream || found.responseStream)) throw new Error(`method "${method}" streams; grpc takes a unary method (grpc-stream a bidi one)`);
  if (kind === "bidi" && !(found.requestStream && found.responseStream)) throw new Error(`method "${method}" is not bidi streaming; grpc-stream takes a bidi method (grpc a unary one)`);
  let bytes: Buffer;
  try {
    bytes = found.requestSerialize(message);
  } catch (error) {
    throw new Error(`message: ${(error as Error).message}`);
  }
  // The serializer drops what the message type has no field for; read back, a dropped key is missing.
  const known = found.requestDeserialize(bytes) as Record<string, unknown>;
  const unknown = Object.keys(message).find((key) => !(key in known));
  if (unknown !== undefined) throw new Error(`message: "${unknown}" is not a field of ${service}/${name}'s request type; its fields are ${Object.keys(known).join(", ")}`);
  return { path: found.path, message: bytes };
}
