/**
 * The driver's side of an agent: typed unary calls with the run's token and a deadline, whose every failure names
 * the host — "agent client-2 (198.18.0.3:7000): …" — so that a scenario errored by a lost host says which.
 */
import * as grpc from "@grpc/grpc-js";
import { AGENT_SERVICE, AGENT_SERVICE_DEFINITION, TOKEN_METADATA_KEY, bearer } from "./protocol.ts";
import type { AgentMethodName, AgentMethods } from "./protocol.ts";

export const DEFAULT_CALL_DEADLINE_MS = 10_000;

export class AgentCallError extends Error {
  override readonly name = "AgentCallError";
  readonly host: string;
  readonly code: grpc.status;
  constructor(host: string, code: grpc.status, message: string) {
    super(message);
    this.host = host;
    this.code = code;
  }
}

export interface AgentClient {
  /** The host's name in the run, e.g. "server" or "client". */
  readonly host: string;
  readonly address: string;
  call<M extends AgentMethodName>(method: M, request: AgentMethods[M]["request"], deadlineMs?: number): Promise<AgentMethods[M]["response"]>;
  close(): void;
}

export function connectAgent(host: string, address: string, token: string): AgentClient {
  // A subchannel of its own: two clients of one agent (a test's, a second driver's) must not share a connection.
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 });
  const metadata = new grpc.Metadata();
  metadata.set(TOKEN_METADATA_KEY, bearer(token));
  return {
    host,
    address,
    call: (method, request, deadlineMs = DEFAULT_CALL_DEADLINE_MS) => {
      const definition = AGENT_SERVICE_DEFINITION[method];
      if (definition === undefined) throw new Error(`no method ${method} in ${AGENT_SERVICE}`);
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          definition.path,
          definition.requestSerialize,
          definition.responseDeserialize,
          request,
          metadata,
          { deadline: Date.now() + deadlineMs },
          (error, reply) => {
            if (error === null && reply !== undefined) resolve(reply as AgentMethods[typeof method]["response"]);
            else reject(new AgentCallError(host, error?.code ?? grpc.status.UNKNOWN, `agent ${host} (${address}): ${method}: ${error?.details ?? "no reply"}`));
          },
        );
      });
    },
    close: () => client.close(),
  };
}
