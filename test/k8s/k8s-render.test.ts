/**
 * `npm run k8s -- render`: every manifest validated offline against the Kubernetes API's own schemas
 * (kubernetes-models; no cluster is reachable here), and what the run needs of each checked by value.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { k8sOptions, main, renderYaml } from "../../bench/k8s/cli.ts";
import type { K8sOptions } from "../../bench/k8s/manifests.ts";

const dir = mkdtempSync(join(tmpdir(), "wirecost-k8s-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODELS = { Namespace, Secret, DaemonSet, Service, Job } as const;
type Doc = { kind: keyof typeof MODELS; metadata: { name: string }; spec?: any; stringData?: any };

function options(argv: readonly string[]): K8sOptions {
  const parsed = k8sOptions(["render", ...argv]);
  if (parsed === "help") throw new Error("help");
  return parsed.options;
}

function docs(yaml: string): Doc[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as Doc);
}

/** Each document through its kind's model: the API's OpenAPI schema, as `kubectl apply --dry-run=client` would. */
function validate(doc: Doc): void {
  const Model = MODELS[doc.kind] as unknown as new (data: unknown) => { validate(): void };
  if (Model === undefined) throw new Error(`no model for ${doc.kind}`);
  new Model(doc).validate();
}

describe("npm run k8s -- render", () => {
  it("renders a namespace, the token, an agent DaemonSet and Service per role, and the driver Job, each valid", () => {
    const rendered = docs(renderYaml(options(["--client-hosts", "2", "--", "--protocols", "http1,grpc", "--rps", "1000"])));
    expect(rendered.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "Namespace/wirecost",
      "Secret/wirecost-token",
      "DaemonSet/wirecost-agent-server",
      "Service/wirecost-agent-server",
      "DaemonSet/wirecost-agent-client",
      "Service/wirecost-agent-client",
      "DaemonSet/wirecost-agent-client-2",
      "Service/wirecost-agent-client-2",
      "Job/wirecost-driver",
    ]);
    for (const d of rendered) expect(() => validate(d), `${d.kind}/${d.metadata.name}`).not.toThrow();
  });

  it("puts each role's agent on its own labelled nodes, on the node's network, pinned by whole-CPU Guaranteed QoS", () => {
    const [server] = docs(renderYaml(options(["--cpus", "4", "--memory", "3Gi"]))).filter((d) => d.kind === "DaemonSet");
    const pod = server?.spec.template.spec;
    expect([pod.nodeSelector, pod.hostNetwork, pod.hostPID]).toEqual([{ "wirecost.io/role": "server" }, true, true]);
    const container = pod.containers[0];
    expect(container.resources).toEqual({ requests: { cpu: "4", memory: "3Gi" }, limits: { cpu: "4", memory: "3Gi" } });
    expect(container.securityContext).toEqual({ runAsUser: 0, privileged: false, allowPrivilegeEscalation: false });
    expect(container.command).toEqual(["npm", "run", "agent", "--", "--listen", "$(NODE_IP):7000", "--bench-address", "$(BENCH_ADDRESS)", "--token-file", "/var/run/wirecost/token"]);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        labelSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["wirecost-agent"] }, { key: "wirecost.io/role", operator: "NotIn", values: ["server"] }] },
        topologyKey: "kubernetes.io/hostname",
      },
    ]);
  });

  it("gives the driver the agents' Service names and the token by file, never on its command line", () => {
    const rendered = docs(renderYaml(options(["--namespace", "bench", "--", "--rps", "500"])));
    const secret = rendered.find((d) => d.kind === "Secret");
    const job = rendered.find((d) => d.kind === "Job");
    const command: string[] = job?.spec.template.spec.containers[0].command;
    expect(command).toEqual([
      "npm", "run", "bench", "--",
      "--agents", "server=wirecost-agent-server.bench.svc.cluster.local:7000,client=wirecost-agent-client.bench.svc.cluster.local:7000",
      "--token-file", "/var/run/wirecost/token", "--out", "/results", "--json", "--rps", "500",
    ]);
    expect(secret?.stringData.token).toMatch(/^[0-9a-f]{32}$/);
    // Off every labelled node, scheduled agent or not.
    expect(job?.spec.template.spec.affinity).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "wirecost.io/role", operator: "DoesNotExist" }] }] } },
    });
    expect(command.join(" ")).not.toContain(secret?.stringData.token);
  });

  it("is caught by the schemas when a manifest is wrong, so the validation above can fail", () => {
    const [daemonSet] = docs(renderYaml(options([]))).filter((d) => d.kind === "DaemonSet");
    daemonSet!.spec.template.spec.containers[0].resources.limits.cpu = "two";
    expect(() => validate(daemonSet!)).toThrow(/resources\/limits\/cpu must match format "quantity"/);
  });

  it("refuses in one line what the driver would refuse, and bad values, before writing anything", async () => {
    const said: string[] = [];
    const io = { stdout: { write: (t: string) => said.push(t) }, stderr: { write: (t: string) => said.push(t) } };
    expect(await main(["render", "--out", join(dir, "no"), "--", "--protocols", "h2"], io)).toBe(2);
    expect(await main(["render", "--cpus", "1.5"], io)).toBe(2);
    expect(said).toEqual([
      "wirecost k8s: --agents: TLS arms (h2) are not run across hosts yet; drop them from --protocols\n",
      "wirecost k8s: --cpus 1.5: whole CPUs, so the static CPU manager pins the agent; e.g. --cpus 2\n",
    ]);
    expect(() => statSync(join(dir, "no"))).toThrow();
  });

  it("writes wirecost.yaml, readable by its owner only (it holds the token), and says how to apply it", async () => {
    const said: string[] = [];
    const out = join(dir, "out");
    expect(await main(["render", "--out", out], { stdout: { write: (t: string) => said.push(t) }, stderr: { write: (t: string) => said.push(t) } })).toBe(0);
    const path = join(out, "wirecost.yaml");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(docs(readFileSync(path, "utf8")).map((d) => d.kind)).toEqual(["Namespace", "Secret", "DaemonSet", "Service", "DaemonSet", "Service", "Job"]);
    expect(said).toEqual([`wrote ${path}: label the nodes wirecost.io/role=server, wirecost.io/role=client, then kubectl apply -f ${path}\n`]);
  });
});
