/**
 * A series is one arm (or one user server) driven by one kind of client (`--client`): a column of the report's tables, a bar or line of
 * its charts, a curve of a sweep. A run with one client has one series per arm, named after the arm, as every run
 * before `--client` had; with a list (`--client wire,library`) the first client's series are named after the arm
 * and each later one's `arm~client` (`h2c~library`). Scenario names start with their series (`h2c~library@5480#2`).
 * Pure.
 */
import { CLIENT_CHOICES, clientChoiceOf, clientKindFor, isProtocol } from "../../contract/index.ts";
import type { ClientChoice, ClientKind, Protocol } from "../../contract/index.ts";
import type { RunResult, ScenarioResult } from "./schema.ts";

/** An arm's name, or `arm~client`; `~` is in no arm's name, means nothing in a file name, and reads as "variant". */
export type Series = string;

export const SERIES_SEPARATOR = "~";

/**
 * The series of `subject` — an arm, or a user server's name (schema.ts `subject`) — driven by `client` in a run of
 * `clients` (its `--client` list, in order).
 */
export function seriesName(subject: string, client: ClientChoice, clients: readonly ClientChoice[]): Series {
  return clients[0] === client ? subject : `${subject}${SERIES_SEPARATOR}${client}`;
}

/** The run's `--client` list; results written before it existed used the library clients. */
export function runClients(config: RunResult["config"]): readonly ClientChoice[] {
  const clients: readonly ClientChoice[] | undefined = config.client;
  return clients ?? ["library"];
}

/**
 * The client that drove `s`. Results written before `--client` existed have none: they used the arm's library
 * client, grpc-js for gRPC unless the run chose `--grpc-client` (itself absent before it existed: grpc-js).
 */
export function clientOf(config: Pick<RunResult["config"], "grpcClient">, s: ScenarioResult): ClientKind {
  return s.client ?? clientKindFor(s.protocol, config.grpcClient ?? "grpc-js");
}

/** The series `s` belongs to. */
export function seriesOf(result: Pick<RunResult, "config">, s: ScenarioResult): Series {
  return seriesName(s.subject ?? s.protocol, clientChoiceOf(clientOf(result.config, s)), runClients(result.config));
}

/** A series as a user writes it (`--baseline-protocol h2c~library`): an arm, or an arm and a client; null if neither. */
export function parseSeries(text: string): { readonly protocol: Protocol; readonly client: ClientChoice | null } | null {
  const [protocol, client, ...rest] = text.split(SERIES_SEPARATOR);
  if (protocol === undefined || !isProtocol(protocol) || rest.length > 0) return null;
  if (client === undefined) return { protocol, client: null };
  const choice = CLIENT_CHOICES.find((c) => c === client);
  return choice === undefined ? null : { protocol, client: choice };
}
