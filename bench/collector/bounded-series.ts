/**
 * A time series that keeps at most `cap` points however long the scenario runs (issue 11: a 10 Hz series of a day's
 * run kept whole outgrew Node's largest string when result.json was written). While it is short every point is kept
 * as made; when `cap` points are kept, neighbours are merged in pairs and each later point is made of twice as many
 * intervals as before. Every kept point then spans `stride` consecutive intervals (the newest possibly fewer), so
 * the series stays evenly spaced. The full-resolution series goes to the run's timeseries.ndjson as it is made.
 *
 * `merge(a, b)` joins two consecutive points into one covering both: for rates, the interval-weighted mean, which is
 * the rate over the joined interval exactly (packets/s × seconds = packets).
 */
export interface BoundedSeries<P> {
  push(point: P): void;
  /** The kept points, oldest first: at most `cap`. */
  points(): P[];
  /** Points pushed so far. */
  readonly recorded: number;
  /** Intervals per kept point (1 until the series first filled). */
  readonly stride: number;
}

/** 600 points per series: a minute at 10 Hz unmerged, and about a chart's width in pixels. */
export const SERIES_CAP = 600;

export function createBoundedSeries<P>(merge: (a: P, b: P) => P, cap = SERIES_CAP): BoundedSeries<P> {
  if (!(Number.isInteger(cap) && cap >= 2 && cap % 2 === 0)) throw new RangeError(`cap must be an even integer ≥ 2, got ${cap}`);
  let kept: P[] = [];
  let pending: P | null = null;
  let pendingCount = 0;
  let stride = 1;
  let recorded = 0;
  return {
    push(point) {
      recorded++;
      pending = pending === null ? point : merge(pending, point);
      pendingCount++;
      if (pendingCount < stride) return;
      kept.push(pending);
      pending = null;
      pendingCount = 0;
      if (kept.length < cap) return;
      const halved: P[] = [];
      for (let i = 0; i < kept.length; i += 2) halved.push(merge(kept[i] as P, kept[i + 1] as P));
      kept = halved;
      stride *= 2;
    },
    points: () => (pending === null ? [...kept] : [...kept, pending]),
    get recorded() {
      return recorded;
    },
    get stride() {
      return stride;
    },
  };
}

/** (a·wa + b·wb) / (wa + wb), null when either is; the rate over two joined intervals of lengths wa and wb. */
export function weightedMean(a: number | null, wa: number, b: number | null, wb: number): number | null {
  if (a === null || b === null) return null;
  const w = wa + wb;
  return w > 0 ? (a * wa + b * wb) / w : (a + b) / 2;
}

/** What result.json says of a series whose points were merged: the full series is in the run's timeseries.ndjson. */
export interface SeriesMerge {
  /** Points made at the sample rate. */
  readonly recordedPoints: number;
  /** Sample intervals per point kept (the newest point possibly fewer). */
  readonly intervalsPerPoint: number;
  readonly fullSeries: "timeseries.ndjson";
}

export function seriesMerged(series: { readonly recorded: number; readonly stride: number }): SeriesMerge {
  return { recordedPoints: series.recorded, intervalsPerPoint: series.stride, fullSeries: "timeseries.ndjson" };
}
