/**
 * @module
 * Live mode: the same checks, decided by real packets in a cluster. A provider (kind,
 * embedded) implements LiveProber; the grader maps each check onto it:
 *
 * - `applied`  → apply() of the answer: the API server's verdict, beside the static checks
 * - `reach`    → probe() of every expanded flow (one connection attempt from inside the
 *                source pod; a `side` check is measured as the whole flow, since a packet
 *                crosses both sides); flows that cannot be measured (to addresses outside
 *                the cluster, SCTP where the kernel lacks it) keep the engine's verdict and say so
 * - `dns`      → resolve() from each pod, compared with the Service's ClusterIP
 * - `http`     → httpGet() from each pod, compared with the expected status
 * - `resource` → getObject()
 * - `route`    → ingressRequest() from outside the cluster to the ingress controller; the
 *                Service's Endpoints (getObject) say whether the pod that answered is one of its
 */
import type { Protocol } from '../engine/index.ts';
import type { ProbeResult } from '../truth-table.ts';

export interface PodRef {
  namespace: string;
  name: string;
}

export interface LiveFlow {
  from: PodRef;
  to: PodRef | { ip: string };
  port: number;
  protocol: Protocol;
}

/** What the ingress controller did with one request (its access log), and the certificate it showed. */
export interface IngressAnswer {
  status: number;
  /** ingress-nginx's upstream name, `namespace-service-port`, or `upstream-default-backend` (no rule). */
  upstream: string;
  /** The pod that answered, `ip:port`; undefined when none did. */
  addr?: string;
  /** HTTPS: the DNS names (else the CN) of the certificate the controller served for the host. */
  certificate?: string[];
}

export interface LiveProber {
  /** Applies manifests with kubectl apply semantics; `problems` holds what the API server rejected. */
  apply(text: string, file: string): Promise<{ ok: boolean; problems: string[] }>;
  /** One connection attempt per flow, in order; allowed is null when a flow could not be measured (reason says why). */
  probe(flows: LiveFlow[]): Promise<ProbeResult[]>;
  /** A lookup run inside the pod (its own resolv.conf). */
  resolve(from: PodRef, name: string): Promise<{ addresses: string[] } | { error: string }>;
  httpGet(from: PodRef, url: string): Promise<{ status: number } | { error: string }>;
  getObject(kind: string, namespace: string | undefined, name: string): Promise<Record<string, unknown> | undefined>;
  /** A GET from outside the cluster to the ingress controller's address, the URL's host resolved to it as DNS would. */
  ingressRequest(url: string): Promise<IngressAnswer | { error: string }>;
  /** Deletes what apply() created, so the next grade starts from the task's start state. */
  reset(): Promise<void>;
}
