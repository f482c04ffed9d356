/**
 * @module
 * Upstream's NetworkPolicy builders (test/e2e/network/netpol/policies.go) over
 * plain API JSON. Same names, same argument order and the same mutation order, so
 * e.g. `SetSpecIngressRules()` with no rules still adds "Ingress" to policyTypes
 * and leaves an empty rule list (deny all ingress), exactly as in Go.
 */
import type { Labels, Protocol } from './model.ts';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: Protocol;
  /** A number, or the name of a container port (IntOrString). */
  port?: number | string;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export type PolicyType = 'Ingress' | 'Egress';

export interface NetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: PolicyType[];
    ingress?: NetworkPolicyIngressRule[];
    egress?: NetworkPolicyEgressRule[];
  };
}

type SetFunc = (policy: NetworkPolicy) => void;

export function GenNetworkPolicy(...fn: SetFunc[]): NetworkPolicy {
  // Go's zero value: no name yet, an empty (select-all) podSelector, nothing else.
  const policy: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: '' },
    spec: { podSelector: {} },
  };
  for (const f of fn) f(policy);
  return policy;
}

export function GenNetworkPolicyWithNameAndPodMatchLabel(name: string, targetLabels: Labels, ...otherFunc: SetFunc[]): NetworkPolicy {
  return GenNetworkPolicy(...otherFunc, SetObjectMetaName(name), SetSpecPodSelectorMatchLabels(targetLabels));
}

export function GenNetworkPolicyWithNameAndPodSelector(name: string, targetSelector: LabelSelector, ...otherFunc: SetFunc[]): NetworkPolicy {
  return GenNetworkPolicy(...otherFunc, SetObjectMetaName(name), SetSpecPodSelector(targetSelector));
}

function SetObjectMetaName(name: string): SetFunc {
  return (policy) => {
    policy.metadata.name = name;
  };
}

function SetSpecPodSelector(targetSelector: LabelSelector): SetFunc {
  return (policy) => {
    policy.spec.podSelector = targetSelector;
  };
}

function SetSpecPodSelectorMatchLabels(targetLabels: Labels): SetFunc {
  return (policy) => {
    policy.spec.podSelector = { matchLabels: targetLabels };
  };
}

export function SetSpecIngressRules(...rules: NetworkPolicyIngressRule[]): SetFunc {
  return (policy) => {
    if (policy.spec.ingress === undefined) {
      policy.spec.ingress = [];
      policy.spec.policyTypes = [...(policy.spec.policyTypes ?? []), 'Ingress'];
    }
    policy.spec.ingress.push(...rules);
  };
}

export function SetSpecEgressRules(...rules: NetworkPolicyEgressRule[]): SetFunc {
  return (policy) => {
    if (policy.spec.egress === undefined) {
      policy.spec.egress = [];
      policy.spec.policyTypes = [...(policy.spec.policyTypes ?? []), 'Egress'];
    }
    policy.spec.egress.push(...rules);
  };
}
