/**
 * What every report chart shares: size, fonts and the protocol colours, so a protocol has the same colour in every
 * chart of a report.
 */
import type { RunResult } from "../results/schema.ts";
import { seriesIn } from "../results/run-view.ts";

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

export const WIDTH = 520;
export const HEIGHT = 240;

/** Fixed fonts and a white background, so the SVG looks the same in a browser, an editor preview and on GitHub. */
export const CONFIG = {
  background: "white",
  font: "sans-serif",
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: "start" as const },
};

export function protocolColor(result: RunResult) {
  return { field: "protocol", type: "nominal" as const, title: "protocol", scale: { domain: seriesIn(result), scheme: "tableau10" } };
}
