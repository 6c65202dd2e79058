/**
 * `--netem "delay 1ms loss 0.1%"`: its arguments validated into a token list (never a shell string), and whether this
 * kernel has netem at all. Kernels built without `CONFIG_NET_SCH_NETEM` (this project's machine among them,
 * docs/kernel-notes.md § "Kernel features present and absent") answer `tc qdisc add … netem` with "Specified qdisc
 * kind is unknown".
 */
import { CommandError, commandExists, run } from "./exec.ts";
import { parseRate } from "./rate-limit.ts";
import { withProbeNamespace } from "./support.ts";

export type NetemCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };
export type NetemSpec = { readonly ok: true; readonly args: readonly string[] } | { readonly ok: false; readonly reason: string };

/** tc's message for a qdisc the kernel does not have (net/sched/sch_api.c, via tc's extack). */
const UNKNOWN_QDISC = /Specified qdisc kind is unknown|Unknown qdisc "netem"|qdisc kind is unknown/i;

export const NETEM_UNSUPPORTED =
  "--netem needs the kernel's netem qdisc, which this kernel lacks (sch_netem, CONFIG_NET_SCH_NETEM is not set): " +
  '`tc qdisc add … netem` says "Specified qdisc kind is unknown"';

export function isNetemUnknown(err: unknown): boolean {
  return err instanceof CommandError && UNKNOWN_QDISC.test(err.stderr);
}

type Kind = "time" | "percent" | "int" | "signed" | "rate" | "distribution";

const PATTERNS: Readonly<Record<Kind, (token: string) => boolean>> = {
  time: (t) => /^\d+(\.\d+)?(s|secs?|ms|msecs?|us|usecs?|ns|nsecs?)?$/i.test(t),
  percent: (t) => /^\d+(\.\d+)?%$/.test(t) && Number(t.slice(0, -1)) <= 100,
  int: (t) => /^\d{1,10}$/.test(t),
  signed: (t) => /^-?\d{1,10}$/.test(t),
  rate: (t) => parseRate(t) !== null,
  distribution: (t) => /^(uniform|normal|pareto|paretonormal)$/.test(t),
};

/** Each keyword: its required arguments, then optional ones taken while they fit (tc-netem(8) SYNOPSIS). */
const GRAMMAR: Readonly<Record<string, { readonly required: readonly Kind[]; readonly optional: readonly Kind[] }>> = {
  limit: { required: ["int"], optional: [] },
  delay: { required: ["time"], optional: ["time", "percent"] },
  distribution: { required: ["distribution"], optional: [] },
  loss: { required: ["percent"], optional: ["percent"] },
  corrupt: { required: ["percent"], optional: ["percent"] },
  duplicate: { required: ["percent"], optional: ["percent"] },
  reorder: { required: ["percent"], optional: ["percent"] },
  gap: { required: ["int"], optional: [] },
  rate: { required: ["rate"], optional: ["signed", "int", "signed"] },
  seed: { required: ["int"], optional: [] },
  ecn: { required: [], optional: [] },
};

/**
 * Validates netem arguments against tc-netem(8): known keywords, each at most once, each value of its kind
 * (`1ms`, `0.1%`, `100mbit`, integers). Returns the tokens to pass as argv. Pure.
 */
export function parseNetemSpec(spec: string | readonly string[]): NetemSpec {
  const tokens = typeof spec === "string" ? spec.trim().split(/\s+/).filter((t) => t !== "") : [...spec];
  if (tokens.length === 0) return { ok: false, reason: '--netem needs arguments, e.g. "delay 1ms loss 0.1%"' };
  if (tokens.length > 40) return { ok: false, reason: `--netem: ${tokens.length} arguments is more than netem takes` };
  const seen = new Set<string>();
  const args: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    let keyword = tokens[i] as string;
    const rule = GRAMMAR[keyword];
    if (rule === undefined) return { ok: false, reason: `--netem: unknown keyword ${JSON.stringify(keyword)} (use ${Object.keys(GRAMMAR).join(", ")})` };
    if (seen.has(keyword)) return { ok: false, reason: `--netem: ${keyword} given twice` };
    seen.add(keyword);
    args.push(keyword);
    i++;
    // `loss random 1%` is the long form of `loss 1%`.
    if (keyword === "loss" && tokens[i] === "random") {
      args.push("random");
      i++;
      keyword = "loss random";
    }
    for (const kind of rule.required) {
      const token = tokens[i];
      if (token === undefined || !PATTERNS[kind](token)) {
        return { ok: false, reason: `--netem: ${keyword} needs a ${kind} value, got ${token === undefined ? "nothing" : JSON.stringify(token)}` };
      }
      args.push(token);
      i++;
    }
    for (const kind of rule.optional) {
      const token = tokens[i];
      if (token === undefined || GRAMMAR[token] !== undefined || !PATTERNS[kind](token)) break;
      args.push(token);
      i++;
    }
  }
  if (seen.has("gap") && !seen.has("reorder")) return { ok: false, reason: "--netem: gap needs reorder" };
  if (seen.has("distribution") && !seen.has("delay")) return { ok: false, reason: "--netem: distribution needs delay" };
  return { ok: true, args };
}

/**
 * Tries `tc qdisc add dev probe0 root netem delay 1ms` on a veth in a throw-away namespace. Nothing is left:
 * the namespace goes, and the qdisc and veth with it.
 */
export async function checkNetem(): Promise<NetemCheck> {
  if (process.platform !== "linux") return { ok: false, reason: `--netem needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: "--netem needs root (it is tried on a veth in a throw-away namespace)" };
  if (!commandExists("tc", ["-V"])) return { ok: false, reason: "--netem needs tc: install iproute2 (apt-get install iproute2)" };
  try {
    await withProbeNamespace(async (ns) => {
      await run("ip", ["-n", ns, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"]);
      await run("tc", ["-n", ns, "qdisc", "add", "dev", "probe0", "root", "netem", "delay", "1ms"]);
    });
    return { ok: true };
  } catch (err) {
    if (isNetemUnknown(err)) return { ok: false, reason: NETEM_UNSUPPORTED };
    return { ok: false, reason: `--netem could not be tried: ${(err as Error).message}` };
  }
}
