/**
 * @module
 * The engine's plain data. A compiled cluster holds pods, namespaces and policies with
 * every selector already resolved to pod sets, so evaluating a flow does no parsing
 * and every verdict can name the rules that decided it.
 */
import type { Where } from '../errors.ts';
import type { Protocol } from '../k8s/schema/network-policy.ts';
import type { CIDR, Family, IP } from '../net/ip.ts';
import type { Bitset } from './bitset.ts';
import type { Labels } from './selector.ts';

export type { Protocol };
export type Direction = 'ingress' | 'egress';

export interface PortDecl {
  name: string | undefined;
  port: number;
  protocol: Protocol;
}

export interface PodInfo {
  index: number;
  namespace: string;
  name: string;
  labels: Labels;
  /** Primary address first; a dual-stack pod has one per family. */
  ips: IP[];
  /** True when flatnet picked the address because the input had no status.podIP. */
  assignedIP: boolean;
  ports: PortDecl[];
  where: Where;
}

export interface NamespaceInfo {
  name: string;
  /** Includes the automatic kubernetes.io/metadata.name label. */
  labels: Labels;
  /** False when only referenced by a pod or policy, never declared. */
  declared: boolean;
}

export type Endpoint = { kind: 'pod'; namespace: string; name: string } | { kind: 'ip'; ip: string };

export interface Flow {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: Protocol;
}

export interface PolicyRef {
  namespace: string;
  name: string;
}

/** Points at one rule: `ingress[1]` of policy data/postgres-policy. */
export interface RuleRef {
  policy: PolicyRef;
  direction: Direction;
  index: number;
}

/** Who a rule admits. `any` is an absent or empty from/to. */
export type Peer =
  | { type: 'any' }
  | { type: 'pods'; index: number; pods: Bitset; text: string }
  | { type: 'ip'; index: number; cidr: CIDR; except: CIDR[]; pods: Record<Family, Bitset> };

/** Which ports a rule admits. `all` is an absent or empty ports list. */
export type PortMatch =
  | { type: 'all' }
  | { type: 'protocol'; protocol: Protocol }
  | { type: 'range'; protocol: Protocol; from: number; to: number }
  | { type: 'named'; protocol: Protocol; name: string };

export interface Rule {
  ref: RuleRef;
  peers: Peer[];
  ports: PortMatch[];
}

export interface CompiledPolicy {
  ref: PolicyRef;
  where: Where;
  /** Pods of the policy's namespace that spec.podSelector selects. */
  selects: Bitset;
  /** The API server's defaulted policyTypes. */
  isolates: Record<Direction, boolean>;
  ingress: Rule[];
  egress: Rule[];
}

export interface Cluster {
  namespaces: Map<string, NamespaceInfo>;
  pods: PodInfo[];
  policies: CompiledPolicy[];
  /** For each pod index, the policies that isolate it, per direction. */
  isolatedBy: Record<Direction, CompiledPolicy[][]>;
  podByKey: Map<string, PodInfo>;
  podByIP: Map<string, PodInfo>;
}

/** The evidence for one side of a flow. */
export interface DirectionVerdict {
  /** False when this side is not a pod of the cluster: no policy can govern it. */
  applies: boolean;
  /** Policies that select the pod for this direction (ns/name). */
  isolatedBy: string[];
  /** Rules that admit the flow; empty when not isolated or when denied. */
  allowedBy: RuleRef[];
  allowed: boolean;
}

export interface Verdict {
  allowed: boolean;
  /** The verdict in plain words (see explain.ts). */
  reason: string;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}
