/**
 * The line protocol between the harness and its generator child: one JSON object per line, config and "go"
 * on the child's stdin, progress and the report on its stdout. Plain pipes, so it works through
 * `ip netns exec` and `taskset`, which exec and keep the pid.
 */
import type { ClientKind, ClientOptions } from "../../contract/index.ts";
import type { LoadPlan } from "./generator.ts";
import type { PacingStrategy } from "./pacer.ts";
import type { PrimeOutcome } from "./prime.ts";
import type { GeneratorReport } from "./report.ts";
import type { TlsSession } from "./tls-session.ts";

export interface GeneratorConfig {
  readonly client: ClientOptions;
  /** The client that drives the load, chosen by the harness from `--client` and `--grpc-client` (contract/client.ts). */
  readonly clientKind: ClientKind;
  readonly plan: LoadPlan;
  /** What wakes the load loop (`--pacing`); absent means DEFAULT_PACING. */
  readonly pacing?: PacingStrategy;
  /** Closed-loop requests to send after the warm-up requests and before "ready" (bench/load/prime.ts); absent: none. */
  readonly prime?: { readonly requests: number; readonly maxMs: number };
}

export type ToGenerator =
  | { readonly type: "config"; readonly config: GeneratorConfig }
  /** Run one load: `plan`, or the config's plan. Several may follow one another on the same connections. */
  | {
      readonly type: "go";
      readonly plan?: LoadPlan;
      /**
       * When the load's first request is due, on this host's CLOCK_MONOTONIC in ms (bench/support/host-clock.ts
       * `hostClockMs`); absent: at once (after the pacing floor).
       */
      readonly startHostMs?: number;
    }
  /** Close the connections and exit 0. */
  | { readonly type: "done" };

export type FromGenerator =
  | { readonly type: "ready"; readonly pid: number; readonly prime?: PrimeOutcome; readonly tls?: TlsSession }
  | { readonly type: "phase"; readonly phase: "measure" | "drain"; readonly epochMs: number }
  | { readonly type: "result"; readonly report: GeneratorReport }
  | { readonly type: "fatal"; readonly message: string };

/** Splits a byte stream into lines and hands each parsed JSON object on; a bad line is reported, not thrown. */
export function createLineReader(onMessage: (message: unknown) => void, onBadLine: (line: string) => void) {
  let pending = "";
  return (chunk: Buffer | string): void => {
    pending += chunk.toString();
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line !== "") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          onBadLine(line);
          parsed = undefined;
        }
        if (parsed !== undefined) onMessage(parsed);
      }
      nl = pending.indexOf("\n");
    }
  };
}
