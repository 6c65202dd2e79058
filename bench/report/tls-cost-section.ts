/**
 * The cost of TLS: each TLS arm against its cleartext twin (bench/results/transport-view.ts), the one comparison in
 * the report where TLS is the only thing that differs. As a factor, like the relative table, and as a difference in
 * the figure's own unit, since what TLS adds is an amount (record headers in bytes, a handshake's packets with
 * `https1-close`) that a factor near 1 hides. Pure.
 */
import type { Block } from "./doc.ts";
import { plain } from "../results/markdown-text.ts";
import { formatDifference } from "../results/format.ts";
import { labelWithUnit, metric } from "../results/metrics.ts";
import { isCompleted, repeatsOf, scenarioAt, seriesIn } from "../results/run-view.ts";
import type { RunResult } from "../results/schema.ts";
import type { Spread } from "../results/stats.ts";
import { tlsCosts, tlsPairs, transportOf } from "../results/transport-view.ts";
import type { TlsPair } from "../results/transport-view.ts";
import { bySeries, factorCell, headline, markedSeries, unsteadyNote, unsteadySeries } from "./results-section.ts";

/**
 * What each TLS series negotiated (version, cipher suite, ALPN, as its scenarios recorded them) and, where its client
 * counts them (the HTTP/1.1 clients), how many of its measured windows' handshakes resumed a session: what the
 * cost of TLS above was the cost of.
 */
export function negotiatedItems(result: RunResult): string[] {
  return seriesIn(result)
    .filter((series) => transportOf(result, series) === "tls")
    .flatMap((series) => {
      const sessions = repeatsOf(result).flatMap((r) => {
        const s = scenarioAt(result, series, r);
        return s !== undefined && isCompleted(s) && s.tls !== undefined ? [s.tls] : [];
      });
      if (sessions.length === 0) return [];
      const kinds = [
        ...new Set(
          sessions.map((t) => `${plain(t.version)}, ${plain(t.cipher)}${typeof t.group === "string" ? `, key exchange ${plain(t.group)}` : ""}, ALPN ${t.alpn === null ? "none" : plain(t.alpn)}`),
        ),
      ];
      const counted = sessions.flatMap((t) => (t.handshakes === undefined ? [] : [t.handshakes]));
      const full = counted.reduce((n, h) => n + Number(h.full), 0);
      const resumed = counted.reduce((n, h) => n + Number(h.resumed), 0);
      const windows = counted.length === 1 ? "window" : "windows";
      const handshakes =
        counted.length === 0
          ? ""
          : full + resumed === 0
            ? `; no handshake in the measured ${windows} (its connections opened before them)`
            : `; ${resumed} of ${full + resumed} handshakes in the measured ${windows} resumed a session`;
      return [`**${series}**: ${kinds.join(" / ")}${handshakes}`];
    });
}

function differenceCell(s: Spread | null, digits: number, repeats: number): string {
  const text = formatDifference(s, digits);
  return s !== null && s.n < repeats ? `${text} (n=${s.n})` : text;
}

/** Empty when no TLS arm of the run has its cleartext twin (same client) in the run. */
export function tlsCostSection(result: RunResult, at = ""): Block[] {
  const pairs = tlsPairs(result);
  if (pairs.length === 0) return [];
  const repeats = repeatsOf(result).length;
  const rows = tlsCosts(result, pairs);
  const ratios = bySeries(rows.map((r) => ({ metric: r.metric, factors: r.ratio })));
  const negotiated = negotiatedItems(result);
  const unsteady = unsteadySeries(result);
  const note = unsteadyNote(
    pairs.flatMap((p) => [p.cleartext, p.tls]),
    unsteady,
  );
  const pairName = (p: TlsPair, sign: string): string => `${markedSeries(p.tls, unsteady)} ${sign} ${markedSeries(p.cleartext, unsteady)}`;
  const sentences = pairs.map((p) => headline(p.tls, p.cleartext, ratios.get(p.tls) ?? new Map(), repeats)).filter((s): s is string => s !== null);
  const how =
    repeats > 1
      ? `Each TLS arm against its cleartext twin, the arm of the same family, connection and stream model (contract/arms.ts) driven by the same client: first as a factor, then as what TLS added per request, in the figure's unit. Both are paired by repeat: the mean over repeats of the TLS arm's figure ÷ (or −) its twin's in the same repeat, ± the sample standard deviation of those values (n − 1); "(n=…)" says how many pairs were left.`
      : "Each TLS arm against its cleartext twin, the arm of the same family, connection and stream model (contract/arms.ts) driven by the same client: first as a factor, then as what TLS added per request, in the figure's unit. One repeat: single ratios and differences, without a spread.";
  return [
    { kind: "heading", level: 2, text: `Cost of TLS${at}` },
    { kind: "list", items: sentences },
    { kind: "paragraph", text: how },
    ...(negotiated.length === 0 ? [] : [{ kind: "paragraph" as const, text: "What the TLS arms negotiated (the scenarios' `tls` in result.json):" }, { kind: "list" as const, items: negotiated }]),
    {
      kind: "table",
      header: ["TLS ÷ cleartext", ...pairs.map((p) => pairName(p, "÷"))],
      rows: rows.map((r) => [metric(r.metric).label, ...pairs.map((p) => factorCell(r.ratio.get(p.tls) ?? null, repeats))]),
    },
    {
      kind: "table",
      header: ["TLS − cleartext", ...pairs.map((p) => pairName(p, "−"))],
      rows: rows.map((r) => {
        const m = metric(r.metric);
        return [labelWithUnit(m), ...pairs.map((p) => differenceCell(r.difference.get(p.tls) ?? null, m.digits, repeats))];
      }),
    },
    ...(note === null ? [] : [{ kind: "paragraph" as const, text: note }]),
  ];
}
