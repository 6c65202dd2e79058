/**
 * `npm run bench:generator`'s flags and rows. A row is an arm and what drives it: each client of the arm's row in
 * contract/arms.ts (the wire client and the library ones) and h2load, the native reference. Pure: every mistake is a
 * one-line UsageError naming the flag and the fix.
 */
import { DEFAULT_PACING, PACING_STRATEGIES } from "../load/pacer.ts";
import type { PacingStrategy } from "../load/pacer.ts";
import { armOf, CLIENT_KINDS, OUR_ARMS } from "../../contract/index.ts";
import type { ClientKind, Protocol } from "../../contract/index.ts";
import { parseDurationMs } from "../support/duration.ts";
import { UsageError } from "../support/errors.ts";
import { positiveNumber } from "../support/tool-cli.ts";

/** What drives a row: one of our clients, or h2load (Debian's nghttp2-client) on the same server. */
export type RowKind = ClientKind | "h2load";
export const ROW_KINDS: readonly RowKind[] = ["wire", ...CLIENT_KINDS.filter((k) => k !== "wire"), "h2load"];

export interface BenchRow {
  readonly protocol: Protocol;
  readonly kind: RowKind;
}

/**
 * The arms measured: our servers', cleartext and keep-alive. TLS arms would need the run's certificates, and a connection per
 * request measures connection set-up rather than the generator.
 */
export const BENCH_ARMS: readonly Protocol[] = OUR_ARMS.filter((arm) => !arm.tls && arm.connection === "keep-alive").map((arm) => arm.name);

/** h2load sends one request per stream: it cannot put many messages on one long-lived bidi call. */
export function h2loadDrives(protocol: Protocol): boolean {
  return armOf(protocol).streams !== "bidi-stream";
}

/** What can drive `protocol`, in table order: the wire client first, then the library ones, then h2load. */
export function kindsOf(protocol: Protocol): RowKind[] {
  const clients: readonly RowKind[] = armOf(protocol).clients;
  return ROW_KINDS.filter((kind) => clients.includes(kind) || (kind === "h2load" && h2loadDrives(protocol)));
}

/** Issue 10's rates: the targets are judged at 20 000 and 40 000 req/s. */
export const DEFAULT_RATES: readonly number[] = [5000, 20_000, 40_000];

export const GENERATOR_HELP = `wirecost bench:generator — what the load generator itself costs, against h2load

usage: npm run bench:generator -- [--rates LIST] [--duration D] [--repeat N] [--protocols LIST] [--clients LIST]
                                  [--connections N] [--pacing NAME]

  --rates LIST         comma list of offered req/s (default ${DEFAULT_RATES.join(",")})
  --duration D         each run's measured time, e.g. 5s (default 5s)
  --repeat N           runs per rate and client; the table shows their median (min–max) (default 3)
  --protocols LIST     comma list of ${BENCH_ARMS.join(",")} (default: all)
  --clients LIST       comma list of ${ROW_KINDS.join(",")} (default: all an arm has)
  --connections N      connections per run (default 4)
  --pacing NAME        what wakes our generator's load loop: ${PACING_STRATEGIES.join("|")} (default ${DEFAULT_PACING}); timer
                       sends at Node's millisecond timer, late by about half a millisecond but with fewer wake-ups

Per arm, client and rate: CPU µs per request of the client (and of h2load, Debian package nghttp2-client, on the
same server), their ratio, one core's capacity (10^6 ÷ µs per request) and whether our generator stayed on
schedule; then issue 10's targets, met or not.
`;

export interface GeneratorBenchOptions {
  readonly rates: readonly number[];
  readonly durationMs: number;
  readonly repeat: number;
  readonly connections: number;
  readonly pacing: PacingStrategy;
  readonly rows: readonly BenchRow[];
}

function wholeNumber(flag: string, value: string | boolean | undefined, fallback: number): number {
  const n = positiveNumber(flag, value, fallback);
  if (!Number.isInteger(n)) throw new UsageError("WC_BAD_VALUE", `--${flag} ${String(value)}: give a whole number, e.g. --${flag} ${fallback}`);
  return n;
}

/** A comma list of `choices`, blanks and repeats dropped; the error names the flag, the entry and the choices. */
function listOf<T extends string>(flag: string, value: string | boolean | undefined, choices: readonly T[], item: string): readonly T[] {
  if (typeof value !== "string") return choices;
  const names = [...new Set(value.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
  if (names.length === 0) throw new UsageError("WC_BAD_VALUE", `--${flag}: empty; name one or more of ${choices.join(",")}`);
  return names.map((name) => {
    const known = choices.find((c) => c === name);
    if (known === undefined) throw new UsageError("WC_BAD_VALUE", `--${flag}: unknown ${item} "${name}"; choose from ${choices.join(",")}`);
    return known;
  });
}

/** The flags, checked. Rows: every chosen arm with every chosen kind that can drive it, in table order. */
export function generatorBenchOptions(values: Readonly<Record<string, string | boolean | undefined>>): GeneratorBenchOptions {
  const rateText = values.rates;
  const rates = typeof rateText === "string" ? rateText.split(",").map((r) => positiveNumber("rates", r.trim())) : DEFAULT_RATES;
  const durationText = values.duration;
  const durationMs = typeof durationText === "string" ? parseDurationMs(durationText) : 5000;
  if (durationMs === undefined || durationMs <= 0) throw new UsageError("WC_BAD_VALUE", `--duration ${String(durationText)}: give a duration such as 5s or 500ms`);
  const arms = listOf("protocols", values.protocols, BENCH_ARMS, "arm");
  const kinds = listOf("clients", values.clients, ROW_KINDS, "client");
  const rows = BENCH_ARMS.filter((p) => arms.includes(p)).flatMap((protocol) => kindsOf(protocol).filter((k) => kinds.includes(k)).map((kind) => ({ protocol, kind })));
  if (rows.length === 0) {
    const offered = BENCH_ARMS.filter((p) => arms.includes(p)).map((p) => `${p}: ${kindsOf(p).join(",")}`);
    throw new UsageError("WC_BAD_VALUE", `--clients ${kinds.join(",")}: no chosen arm has one; ${offered.join("; ")}`);
  }
  const pacingText = values.pacing ?? DEFAULT_PACING;
  const pacing = PACING_STRATEGIES.find((s) => s === pacingText);
  if (pacing === undefined) throw new UsageError("WC_BAD_VALUE", `--pacing ${String(pacingText)}: choose one of ${PACING_STRATEGIES.join(", ")}`);
  return { rates, durationMs, repeat: wholeNumber("repeat", values.repeat, 3), connections: wholeNumber("connections", values.connections, 4), pacing, rows };
}
