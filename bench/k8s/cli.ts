/**
 * `npm run k8s -- render [--out DIR] [options] [-- bench flags]`: the manifests of a run across a cluster's nodes
 * (manifests.ts), as one multi-document YAML file, or on stdout. The bench flags are checked here as the driver will
 * read them, so a mistake is found at render time, not in a Job's log.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { configFromArgv } from "../cli/argv.ts";
import { UsageError } from "../support/errors.ts";
import { parseToolArgs, positiveNumber, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { readTokenFile } from "../agent/token.ts";
import { MAX_CLIENT_HOSTS } from "../topology/options.ts";
import { agentsFlag, renderManifests, ROLE_LABEL, roles } from "./manifests.ts";
import type { K8sOptions } from "./manifests.ts";

export const K8S_HELP = `wirecost k8s — Kubernetes manifests for a run across a cluster's nodes

usage: npm run k8s -- render [--out DIR] [--image IMAGE] [--client-hosts N] [--cpus N] [--memory Q]
                            [--namespace NS] [--token-file FILE] [--results-claim PVC] [-- bench flags]

Writes wirecost.yaml: a Namespace, the token's Secret, an agent DaemonSet and headless Service per role (server,
client-2 …) on the nodes labelled ${ROLE_LABEL}=<role>, and the driver Job, which runs npm run bench -- --agents …
with the bench flags after "--". Apply it with kubectl apply -f; README "Several hosts" says how to label nodes.

  --out DIR             where to write wirecost.yaml (default: print it)
  --image IMAGE         an image holding this repository set up (default wirecost:0.1.0)
  --client-hosts N      client roles, each on nodes of its own (default 1, at most ${MAX_CLIENT_HOSTS})
  --cpus N              whole CPUs per agent pod, requests = limits, for the static CPU manager (default 2)
  --memory Q            memory per agent pod (default 2Gi)
  --namespace NS        the Kubernetes namespace (default wirecost)
  --token-file FILE     the run's token (default: a new random one, written into the Secret)
  --results-claim PVC   a PersistentVolumeClaim for the driver's results (default: none; --json prints result.json)
`;

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

function choose(flag: string, value: string | boolean | undefined, fallback: string, pattern: RegExp, example: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !pattern.test(value)) throw new UsageError("WC_BAD_VALUE", `--${flag} ${String(value)}: ${example}`);
  return value;
}

export function k8sOptions(argv: readonly string[]): { readonly options: K8sOptions; readonly out: string | null } | "help" {
  const split = argv.indexOf("--");
  const own = split < 0 ? argv : argv.slice(0, split);
  const benchArgs = split < 0 ? [] : argv.slice(split + 1);
  const strings = ["out", "image", "client-hosts", "cpus", "memory", "namespace", "token-file", "results-claim"];
  const args = parseToolArgs(own, { tool: "k8s", strings, positionals: ["render"], usage: "render [--out DIR] [-- bench flags]" });
  if (args.help) return "help";
  if (args.positionals[0] !== "render") throw new UsageError("WC_BAD_FLAG", `unknown command ${args.positionals[0]}; npm run k8s -- render`);
  const v = args.values;
  const clientHosts = positiveNumber("client-hosts", v["client-hosts"], 1);
  if (!Number.isInteger(clientHosts) || clientHosts > MAX_CLIENT_HOSTS) throw new UsageError("WC_BAD_VALUE", `--client-hosts ${clientHosts}: a whole number from 1 to ${MAX_CLIENT_HOSTS}`);
  const cpus = positiveNumber("cpus", v.cpus, 2);
  // Whole CPUs: the static CPU manager pins only Guaranteed pods whose CPU request is an integer.
  if (!Number.isInteger(cpus)) throw new UsageError("WC_BAD_VALUE", `--cpus ${cpus}: whole CPUs, so the static CPU manager pins the agent; e.g. --cpus 2`);
  const namespace = choose("namespace", v.namespace, "wirecost", NAME, "a Kubernetes name, e.g. --namespace wirecost");
  const options: K8sOptions = {
    namespace,
    image: choose("image", v.image, "wirecost:0.1.0", /^\S+$/, "an image reference, e.g. --image registry.example/wirecost:0.1.0"),
    clientHosts,
    cpus,
    memory: choose("memory", v.memory, "2Gi", QUANTITY, "a Kubernetes quantity, e.g. --memory 2Gi"),
    token: typeof v["token-file"] === "string" ? readTokenFile(v["token-file"]) : randomBytes(16).toString("hex"),
    benchArgs,
    resultsClaim: v["results-claim"] === undefined ? null : choose("results-claim", v["results-claim"], "", NAME, "a PersistentVolumeClaim's name"),
  };
  // What the driver will be given, checked now: a refusal in the Job's log would cost a deploy to find.
  configFromArgv(["--agents", agentsFlag(options), "--token-file", "/var/run/wirecost/token", "--out", "/results", ...benchArgs]);
  return { options, out: typeof v.out === "string" ? v.out : null };
}

export function renderYaml(options: K8sOptions): string {
  return renderManifests(options)
    // No anchors and aliases: each object reads whole, as kubectl and people expect.
    .map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join("---\n");
}

export function main(argv: readonly string[], io: Pick<ToolIo, "stdout" | "stderr">): Promise<number> {
  return runTool(io, "k8s", async () => {
    const parsed = k8sOptions(argv);
    if (parsed === "help") {
      io.stdout.write(K8S_HELP);
      return 0;
    }
    const yaml = renderYaml(parsed.options);
    if (parsed.out === null) {
      io.stdout.write(yaml);
      return 0;
    }
    mkdirSync(parsed.out, { recursive: true });
    const path = join(parsed.out, "wirecost.yaml");
    writeFileSync(path, yaml, { mode: 0o600 });
    // The mode above applies to a new file only: one rendered before keeps its own, and this one holds the token.
    chmodSync(path, 0o600);
    io.stderr.write(`wrote ${path}: label the nodes ${roles(parsed.options.clientHosts).map((r) => `${ROLE_LABEL}=${r}`).join(", ")}, then kubectl apply -f ${path}\n`);
    return 0;
  });
}
