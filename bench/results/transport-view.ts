/**
 * A run's series by transport, so that a factor measures one effect at a time: protocols are compared within one
 * transport (cleartext arms against the baseline, TLS arms against its TLS twin), and TLS against cleartext only
 * between twins, the arms contract/arms.ts pairs (`cleartextTwinOf`: same family, connection and stream model). A
 * series keeps its client across a pair (`h2~library` against `h2c~library`), so no factor mixes clients either.
 * Pure.
 */
import { cleartextTwinOf, tlsTwinOf, usesTls } from "../../contract/index.ts";
import type { Protocol } from "../../contract/index.ts";
import { METRICS } from "./metrics.ts";
import type { RunResult } from "./schema.ts";
import type { MetricId } from "./metrics.ts";
import { seriesIn, valuesByRepeat } from "./run-view.ts";
import { parseSeries, SERIES_SEPARATOR } from "./series.ts";
import type { Series } from "./series.ts";
import { pairedDifference, pairedRatio } from "./stats.ts";
import type { Spread } from "./stats.ts";

export type Transport = "cleartext" | "tls";

interface SeriesParts {
  readonly protocol: Protocol;
  readonly client: string | null;
  /** A user server's series (schema.ts `subject`): its protocol's arm is not its twin's. */
  readonly user: boolean;
}

function partsOf(result: RunResult, series: Series): SeriesParts {
  const parts = parseSeries(series);
  if (parts !== null) return { ...parts, user: false };
  // A user server's series is named after it: its protocol is its entry's (the run's config), or its scenarios'.
  const [name = "", client = null] = series.split(SERIES_SEPARATOR);
  const protocol = result.config.servers?.find((entry) => entry.name === name)?.protocol ?? result.scenarios.find((x) => x.subject === name)?.protocol;
  // Unreachable for a run's series (load-run.ts checks every protocol and client) and a checked --baseline-protocol.
  if (protocol === undefined) throw new TypeError(`not a series: ${JSON.stringify(series)}`);
  return { protocol, client, user: true };
}

export function transportOf(result: RunResult, series: Series): Transport {
  return usesTls(partsOf(result, series).protocol) ? "tls" : "cleartext";
}

/**
 * The series of the other transport's twin arm driven by the same client, whether or not the run has it; null for
 * a user server, whose twin would be another server.
 */
function twinSeries(result: RunResult, series: Series): Series | null {
  const { protocol, client, user } = partsOf(result, series);
  if (user) return null;
  const twin = usesTls(protocol) ? cleartextTwinOf(protocol) : tlsTwinOf(protocol);
  if (twin === null) return null;
  return client === null ? twin : `${twin}${SERIES_SEPARATOR}${client}`;
}

export interface TransportGroup {
  readonly transport: Transport;
  /** What the others are relative to: the baseline asked for, its twin on this transport, or a stand-in. */
  readonly baseline: Series;
  /**
   * `asked`: the run's baseline. `twin`: its twin on this transport. `stand-in`: the run lacks that twin (or the
   * arms table gives the baseline none), so the transport's first series with the baseline's client stands in,
   * else its first series: a factor across transports would mix the protocol with TLS.
   */
  readonly chosen: "asked" | "twin" | "stand-in";
  /** The twin a stand-in replaces; null when the arms table gives the baseline none. */
  readonly twin: Series | null;
  /** This transport's other series, in the run's order (empty when the baseline is its only one). */
  readonly series: readonly Series[];
}

/**
 * The relative table's groups: the baseline's transport first, then the other, each only when the run has a series
 * of it.
 */
export function transportGroups(result: RunResult, baseline: Series): TransportGroup[] {
  const all = seriesIn(result);
  const own = transportOf(result, baseline);
  const other: Transport = own === "tls" ? "cleartext" : "tls";
  const groups: TransportGroup[] = [];
  const ownSeries = all.filter((s) => transportOf(result, s) === own);
  if (ownSeries.length > 0) groups.push({ transport: own, baseline, chosen: "asked", twin: null, series: ownSeries.filter((s) => s !== baseline) });
  const members = all.filter((s) => transportOf(result, s) === other);
  const twin = twinSeries(result, baseline);
  const client = partsOf(result, baseline).client;
  const standIn = members.find((s) => partsOf(result, s).client === client) ?? members[0];
  if (twin !== null && members.includes(twin)) {
    groups.push({ transport: other, baseline: twin, chosen: "twin", twin: null, series: members.filter((s) => s !== twin) });
  } else if (standIn !== undefined) {
    groups.push({ transport: other, baseline: standIn, chosen: "stand-in", twin, series: members.filter((s) => s !== standIn) });
  }
  return groups;
}

export interface TlsPair {
  readonly tls: Series;
  readonly cleartext: Series;
}

/** Each TLS series of the run whose cleartext twin (same client) is in the run too, in the run's order. */
export function tlsPairs(result: RunResult): TlsPair[] {
  const all = seriesIn(result);
  return all.flatMap((tls) => {
    if (transportOf(result, tls) !== "tls") return [];
    const cleartext = twinSeries(result, tls);
    return cleartext !== null && all.includes(cleartext) ? [{ tls, cleartext }] : [];
  });
}

export interface TlsCostRow {
  readonly metric: MetricId;
  /** Per TLS series: its figure ÷ its cleartext twin's, paired by repeat; null when no pair was usable. */
  readonly ratio: ReadonlyMap<Series, Spread | null>;
  /** Per TLS series: its figure − its cleartext twin's, in the metric's unit, paired by repeat. */
  readonly difference: ReadonlyMap<Series, Spread | null>;
}

/** The cost of TLS: every cost metric of each pair's TLS series against its cleartext twin. */
export function tlsCosts(result: RunResult, pairs: readonly TlsPair[]): TlsCostRow[] {
  return METRICS.filter((m) => m.cost).map((m) => {
    const ratio = new Map<Series, Spread | null>();
    const difference = new Map<Series, Spread | null>();
    for (const { tls, cleartext } of pairs) {
      const values = valuesByRepeat(result, tls, m);
      const base = valuesByRepeat(result, cleartext, m);
      ratio.set(tls, pairedRatio(values, base));
      difference.set(tls, pairedDifference(values, base));
    }
    return { metric: m.id, ratio, difference };
  });
}
