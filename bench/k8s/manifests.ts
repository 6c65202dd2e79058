/**
 * The Kubernetes objects of a run across hosts (`npm run k8s -- render`), as plain data. Pure.
 *
 * Shaped after grpc/test-infra's LoadTest, where it fits: a server and clients on separate nodes, a driver that
 * runs the test and collects the result. There the driver starts worker pods; here the agents (bench/agent/) are the
 * workers, one DaemonSet per role on the nodes labelled for it, and the driver is `npm run bench -- --agents …` in a
 * Job, reaching each role's agent through a headless Service.
 *
 * - Agents use the node's network (hostNetwork) and see its processes (hostPID): the counters they read are the
 *   node's own NIC and softirqs, not a pod's veth. They are not privileged: /proc, /sys and the NIC's counters read
 *   without it, and the eBPF tracer (which would need it) does not run on agents yet.
 * - requests = limits in whole CPUs: Guaranteed QoS, so the kubelet's static CPU manager gives the agent's pod CPUs
 *   of its own, and the server or generator it starts runs on one of them (--server-cpu/--client-cpu pick which).
 * - Agents of different roles never share a node (hostname anti-affinity), nor does the driver share one with them.
 */
import { AGENT_DEFAULT_PORT } from "../agent/protocol.ts";

export const ROLE_LABEL = "wirecost.io/role";
const APP_LABEL = "app.kubernetes.io/name";
const TOKEN_DIR = "/var/run/wirecost";

export interface K8sOptions {
  readonly namespace: string;
  readonly image: string;
  /** Client roles client, client-2 … client-N, each on nodes labelled for it. */
  readonly clientHosts: number;
  /** Whole CPUs per agent pod: its requests and limits. */
  readonly cpus: number;
  readonly memory: string;
  /** The run's shared token, into a Secret both the agents and the driver mount. */
  readonly token: string;
  /** `npm run bench` flags for the driver, beside the --agents and --token-file it is given. */
  readonly benchArgs: readonly string[];
  /** A PersistentVolumeClaim for the driver's --out; null: an emptyDir (result.json is printed with --json). */
  readonly resultsClaim: string | null;
}

export type Manifest = Record<string, unknown> & { readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> } };

/** The hosts' names, as a run's result gives them (bench/config/hosts-rules.ts `parseAgents`). */
export function roles(clientHosts: number): string[] {
  return ["server", ...Array.from({ length: clientHosts }, (_, i) => (i === 0 ? "client" : `client-${i + 1}`))];
}

const agentName = (role: string): string => `wirecost-agent-${role}`;

/** The driver's --agents: each role's headless Service name, which resolves to its agent's node address. */
export function agentsFlag(options: Pick<K8sOptions, "namespace" | "clientHosts">): string {
  return roles(options.clientHosts)
    .map((role) => `${role === "server" ? "server" : "client"}=${agentName(role)}.${options.namespace}.svc.cluster.local:${AGENT_DEFAULT_PORT}`)
    .join(",");
}

const tokenVolume = { name: "token", secret: { secretName: "wirecost-token", defaultMode: 0o400 } };
const tokenMount = { name: "token", mountPath: TOKEN_DIR, readOnly: true };

function agentDaemonSet(o: K8sOptions, role: string): Manifest {
  const labels = { [APP_LABEL]: "wirecost-agent", [ROLE_LABEL]: role };
  const resources = { cpu: String(o.cpus), memory: o.memory };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: agentName(role), namespace: o.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { [ROLE_LABEL]: role },
          hostNetwork: true,
          hostPID: true,
          dnsPolicy: "ClusterFirstWithHostNet",
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  // Another role's agent: NotIn alone would match every pod without the label too.
                  labelSelector: { matchExpressions: [{ key: APP_LABEL, operator: "In", values: ["wirecost-agent"] }, { key: ROLE_LABEL, operator: "NotIn", values: [role] }] },
                  topologyKey: "kubernetes.io/hostname",
                },
              ],
            },
          },
          containers: [
            {
              name: "agent",
              image: o.image,
              command: ["npm", "run", "agent", "--", "--listen", `$(NODE_IP):${AGENT_DEFAULT_PORT}`, "--bench-address", "$(BENCH_ADDRESS)", "--token-file", `${TOKEN_DIR}/token`],
              env: [
                { name: "NODE_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
                // The node's address; a node with a NIC for the benchmark alone gives that one instead (README).
                { name: "BENCH_ADDRESS", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
              ],
              ports: [{ name: "agent", containerPort: AGENT_DEFAULT_PORT, protocol: "TCP" }],
              resources: { requests: resources, limits: resources },
              // Root, unprivileged: the token file is the owner's alone (0400), and nginx arms start as root.
              securityContext: { runAsUser: 0, privileged: false, allowPrivilegeEscalation: false },
              volumeMounts: [tokenMount],
            },
          ],
          volumes: [tokenVolume],
        },
      },
    },
  };
}

function agentService(o: K8sOptions, role: string): Manifest {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: agentName(role), namespace: o.namespace },
    spec: { clusterIP: "None", selector: { [APP_LABEL]: "wirecost-agent", [ROLE_LABEL]: role }, ports: [{ name: "agent", port: AGENT_DEFAULT_PORT, targetPort: AGENT_DEFAULT_PORT, protocol: "TCP" }] },
  };
}

function driverJob(o: K8sOptions): Manifest {
  const results = o.resultsClaim === null ? { name: "results", emptyDir: {} } : { name: "results", persistentVolumeClaim: { claimName: o.resultsClaim } };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "wirecost-driver", namespace: o.namespace, labels: { [APP_LABEL]: "wirecost-driver" } },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: { [APP_LABEL]: "wirecost-driver" } },
        spec: {
          restartPolicy: "Never",
          // Off every labelled node, whether its agent is scheduled yet or not (a pod anti-affinity would keep a
          // late agent off the driver's node instead).
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ROLE_LABEL, operator: "DoesNotExist" }] }] },
            },
          },
          containers: [
            {
              name: "driver",
              image: o.image,
              command: ["npm", "run", "bench", "--", "--agents", agentsFlag(o), "--token-file", `${TOKEN_DIR}/token`, "--out", "/results", "--json", ...o.benchArgs],
              volumeMounts: [tokenMount, { name: "results", mountPath: "/results" }],
            },
          ],
          volumes: [tokenVolume, results],
        },
      },
    },
  };
}

export function renderManifests(o: K8sOptions): Manifest[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: o.namespace } },
    { apiVersion: "v1", kind: "Secret", metadata: { name: "wirecost-token", namespace: o.namespace }, type: "Opaque", stringData: { token: o.token } },
    ...roles(o.clientHosts).flatMap((role) => [agentDaemonSet(o, role), agentService(o, role)]),
    driverJob(o),
  ];
}
