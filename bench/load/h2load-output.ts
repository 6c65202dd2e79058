/**
 * What h2load prints on stdout, read: the phase lines of its timing mode, which the harness turns into the
 * collector's window edges as they arrive, and the summary it prints on exit. Pure. The texts are nghttp2 1.52's
 * `src/h2load.cc` (`warmup_timeout_cb`, `duration_timeout_cb`, and the end of `main`); each phase line is written
 * with `std::endl`, so it reaches the pipe when the phase changes, not when the buffer fills.
 */

/** `measure`: "Main benchmark duration is started"; `drain`: "Main benchmark duration is over"; `warm-up`: started. */
export type H2loadPhase = "warm-up" | "measure" | "drain";

const PHASE_LINES: readonly (readonly [RegExp, H2loadPhase])[] = [
  [/^Warm-up started for thread #\d+\.$/, "warm-up"],
  [/^Main benchmark duration is started for thread #\d+\.$/, "measure"],
  [/^Main benchmark duration is over for thread #\d+\. Stopping all clients\.$/, "drain"],
];

/** The phase a stdout line announces, or null for any other line. */
export function h2loadPhaseOf(line: string): H2loadPhase | null {
  const text = line.trim();
  for (const [pattern, phase] of PHASE_LINES) if (pattern.test(text)) return phase;
  return null;
}

/** h2load's own counts, from its closing summary: its main duration only. */
export interface H2loadSummary {
  readonly finishedS: number;
  readonly requests: {
    readonly total: number;
    readonly started: number;
    readonly done: number;
    /** Done with a 2xx or 3xx status. */
    readonly succeeded: number;
    /** Done without success: a 4xx/5xx status, or a failed stream (`errored`). */
    readonly failed: number;
    readonly errored: number;
    readonly timeout: number;
  };
  readonly statusCodes: { readonly "2xx": number; readonly "3xx": number; readonly "4xx": number; readonly "5xx": number };
  readonly trafficBytes: { readonly total: number; readonly headers: number; readonly data: number } | null;
  /** "h2", "h2c" or "http/1.1". */
  readonly applicationProtocol: string | null;
  /** Over TLS: the version and cipher h2load negotiated. */
  readonly tls: { readonly protocol: string; readonly cipher: string | null } | null;
}

export class H2loadOutputError extends Error {
  override readonly name = "H2loadOutputError";
}

function match(text: string, pattern: RegExp, what: string): RegExpExecArray {
  const m = pattern.exec(text);
  if (m === null) throw new H2loadOutputError(`h2load printed no ${what} line`);
  return m;
}

const num = (s: string | undefined): number => Number(s);

/** How many of each unit h2load prints make a second. */
const SECONDS_PER_UNIT = { us: 1_000_000, ms: 1000, s: 1 } as const;

export function parseH2loadSummary(stdout: string): H2loadSummary {
  // util::format_duration: "802.94ms" below a second, "1.50s" above, "512us" below a millisecond.
  const finished = match(stdout, /^finished in ([\d.]+)(us|ms|s), /m, "\"finished in\"");
  const r = match(
    stdout,
    /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout$/m,
    "\"requests:\"",
  );
  const s = match(stdout, /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx$/m, "\"status codes:\"");
  const t = /^traffic: \S+ \((\d+)\) total, \S+ \((\d+)\) headers .*?, \S+ \((\d+)\) data$/m.exec(stdout);
  const app = /^Application protocol: (\S+)$/m.exec(stdout);
  const tls = /^TLS Protocol: (\S+)$/m.exec(stdout);
  const cipher = /^Cipher: (\S+)$/m.exec(stdout);
  return {
    // To the µs h2load counted in, so "802.94ms" is 0.80294 and not its float quotient's tail.
    finishedS: Math.round((num(finished[1]) * 1_000_000) / SECONDS_PER_UNIT[finished[2] as keyof typeof SECONDS_PER_UNIT]) / 1_000_000,
    requests: {
      total: num(r[1]),
      started: num(r[2]),
      done: num(r[3]),
      succeeded: num(r[4]),
      failed: num(r[5]),
      errored: num(r[6]),
      timeout: num(r[7]),
    },
    statusCodes: { "2xx": num(s[1]), "3xx": num(s[2]), "4xx": num(s[3]), "5xx": num(s[4]) },
    trafficBytes: t === null ? null : { total: num(t[1]), headers: num(t[2]), data: num(t[3]) },
    applicationProtocol: app?.[1] ?? null,
    tls: tls === null ? null : { protocol: tls[1] ?? "", cipher: cipher?.[1] ?? null },
  };
}

/** "1.52.0" from `h2load --version` ("h2load nghttp2/1.52.0"); null when it says something else. */
export function parseH2loadVersion(stdout: string): string | null {
  return /^h2load nghttp2\/(\S+)\s*$/m.exec(stdout)?.[1] ?? null;
}
