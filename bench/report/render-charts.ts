/**
 * Renders the chart specs to SVG on the server: Vega-Lite compiles each spec to Vega, and a headless vega View
 * (renderer "none") serialises its scene graph with `toSVG()`. No browser, no canvas, no hand-written SVG.
 *
 * Offline by construction: every spec carries its data inline, and the View gets a loader that refuses any URI, so
 * a spec that ever named one fails here instead of fetching.
 */
import { parse, resetSVGDefIds, View, Warn } from "vega";
import type { Loader, LoggerInterface } from "vega";
import { compile } from "vega-lite";
import type { RunResult } from "../results/schema.ts";
import { chartSpecs } from "./chart-specs.ts";
import type { RenderedChart } from "./doc.ts";

function refuse(uri: string): Promise<never> {
  return Promise.reject(new Error(`report charts load nothing from outside (asked for ${uri})`));
}

const OFFLINE_LOADER: Loader = {
  load: refuse,
  sanitize: refuse,
  http: refuse,
  file: refuse,
};

/** Collects vega's warnings instead of printing them, so the caller decides where they go. */
function collectingLogger(into: string[]): LoggerInterface {
  let level = Warn;
  const logger: LoggerInterface = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error: (...args: readonly unknown[]) => (into.push(args.map(String).join(" ")), logger),
    warn: (...args: readonly unknown[]) => (level >= Warn && into.push(args.map(String).join(" ")), logger),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

export interface RenderedCharts {
  readonly charts: RenderedChart[];
  /** Vega/Vega-Lite warnings, e.g. a log scale handed a zero. */
  readonly warnings: string[];
}

export async function renderCharts(result: RunResult): Promise<RenderedCharts> {
  const charts: RenderedChart[] = [];
  const warnings: string[] = [];
  for (const chart of chartSpecs(result)) {
    if (chart.empty === true) continue;
    const log: string[] = [];
    const compiled = compile(chart.spec, { logger: collectingLogger(log) }).spec;
    // Clip-path and gradient ids restart at 0 for every chart: the same result gives byte-identical SVG.
    resetSVGDefIds();
    const view = new View(parse(compiled), { renderer: "none", loader: OFFLINE_LOADER, logger: collectingLogger(log), logLevel: Warn });
    try {
      const svg = await view.toSVG();
      charts.push({ id: chart.id, title: chart.title, svg });
    } finally {
      view.finalize();
    }
    warnings.push(...log.map((line) => `${chart.id}: ${line}`));
  }
  return { charts, warnings };
}
