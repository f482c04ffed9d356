/**
 * @module
 * The upstream Kubernetes NetworkPolicy e2e tests, ported.
 *
 * Source: kubernetes/kubernetes test/e2e/network/netpol/network_policy.go at commit
 * 008b3652959ca58af8be3fb5b6ecfe9ae7638282 (after PR #137110, "netpol: specify
 * explicit per-test pod topologies", merged 2026-02-18). The helpers' behaviour comes
 * from the versions of policies.go (fde22c3f9aacfd260225a9741de123a41157b7c0),
 * reachability.go (147581efd2a5c78d2d0b56e98ba68a9f82287da7), truthtable.go
 * (8b0e1d0feb7ee4ef764e65673d22dbf18cceb7fe), model.go
 * (95f08499d652a6211121d8af35f470609217c730) and test_helper.go (the ctx-taking
 * AddNamespaceLabel/AddPodLabels/ValidateOrFail) that were readable; none of them
 * changes what a test expects.
 *
 * Every f.It() of the three "NetworkPolicy between server and client" contexts
 * (TCP, UDP, SCTP) is here: 48 tests, in upstream's order. Each body follows the Go
 * body statement for statement; Go struct literals become API JSON literals
 * (IntOrString{IntVal: 81} -> 81, {Type: String, StrVal: "serve-81-tcp"} ->
 * "serve-81-tcp"), `ginkgo.By` and upstream's comments about why a topology was
 * chosen are dropped. Tests that validate more than one cluster state become one
 * case per state (see harness.ts).
 */
import {
  AddNamespaceLabel,
  AddPodLabels,
  Context,
  CreatePolicy,
  getK8sNamespaces,
  initializeResources,
  makeLargeCIDRForIP,
  UpdatePolicy,
  ValidateOrFail,
  type Case,
} from './harness.ts';
import type { Protocol } from './model.ts';
import {
  GenNetworkPolicyWithNameAndPodMatchLabel,
  GenNetworkPolicyWithNameAndPodSelector,
  SetSpecEgressRules,
  SetSpecIngressRules,
  type LabelSelector,
  type NetworkPolicyEgressRule,
  type NetworkPolicyIngressRule,
} from './policies.ts';
import { NewPodString, NewReachability } from './reachability.ts';

export const UPSTREAM_COMMIT = '008b3652959ca58af8be3fb5b6ecfe9ae7638282';

export const cases: Case[] = [];

const namespaceLabelKey = 'kubernetes.io/metadata.name';
// v1.LabelMetadataName: the same key, spelled the way the "default ns label" tests spell it.
const LabelMetadataName = 'kubernetes.io/metadata.name';

const protocolTCP: Protocol = 'TCP';
const protocolUDP: Protocol = 'UDP';
const protocolSCTP: Protocol = 'SCTP';

const tcp = Context('NetworkPolicy between server and client', cases);

tcp.It("should support a 'default-deny-ingress' policy", (f) => {
  // Only poll TCP
  const protocols = [protocolTCP];

  // Only testing port 80
  const ports = [80];

  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'y/b');

  // Only going to make a policy in namespace X
  const [nsX] = getK8sNamespaces(k8s);
  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-ingress', {}, SetSpecIngressRules());

  // Create the policy
  CreatePolicy(k8s, policy, nsX);

  // Make a truth table of connectivity for all pods in ns x y z
  const reachability = NewReachability(k8s.AllPodStrings(), true);
  // Set the nsX as false, since it has a policy that blocks traffic
  reachability.ExpectPeer({}, { namespace: nsX }, false);

  // Confirm that the real world connectivity matches our matrix
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It("should support a 'default-deny-all' policy", (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-all', {}, SetSpecIngressRules(), SetSpecEgressRules());
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({}, { namespace: nsX }, false);
  reachability.ExpectPeer({ namespace: nsX }, {}, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy to allow traffic from pods within server namespace based on PodSelector', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'x/c', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const allowedPods: LabelSelector = {
    matchLabels: {
      pod: 'b',
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ podSelector: allowedPods }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-x-b', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsX, 'b'), NewPodString(nsX, 'a'), true);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy to allow ingress traffic for a target', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  // Deny all Ingress traffic policy to pods on namespace nsX
  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-all', {}, SetSpecIngressRules());
  CreatePolicy(k8s, policy, nsX);

  // Allow Ingress traffic only to pod x/a from any pod
  const ingressRule: NetworkPolicyIngressRule = { from: [{ podSelector: {}, namespaceSelector: {} }] };
  const allowPolicy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-all-to-a', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, allowPolicy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'b'), false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy to allow ingress traffic from pods in all namespaces', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX] = getK8sNamespaces(k8s);

  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: { matchLabels: {} } }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-from-another-ns', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: { matchLabels: { [namespaceLabelKey]: nsY } } }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  // disallow all traffic from the x or z namespaces
  reachability.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachability.ExpectPeer({ namespace: nsZ }, { namespace: nsX, pod: 'a' }, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy based on PodSelector with MatchExpressions', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const allowedPods: LabelSelector = {
    matchExpressions: [
      {
        key: 'pod',
        operator: 'In',
        values: ['b'],
      },
    ],
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ podSelector: allowedPods }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-x-b', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsX, 'b'), NewPodString(nsX, 'a'), true);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy based on NamespaceSelector with MatchExpressions', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchExpressions: [
      {
        key: namespaceLabelKey,
        operator: 'In',
        values: [nsY],
      },
    ],
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedNamespaces }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-match-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  // disallow all traffic from the x or z namespaces
  reachability.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachability.ExpectPeer({ namespace: nsZ }, { namespace: nsX, pod: 'a' }, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy based on PodSelector or NamespaceSelector', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'x/c', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchExpressions: [
      {
        key: namespaceLabelKey,
        operator: 'NotIn',
        values: [nsX],
      },
    ],
  };
  const podBAllowlisting: LabelSelector = {
    matchLabels: {
      pod: 'b',
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedNamespaces }, { podSelector: podBAllowlisting }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-match-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.Expect(NewPodString(nsX, 'a'), NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsX, 'c'), NewPodString(nsX, 'a'), false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy based on PodSelector and NamespaceSelector', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'y/b', 'z/b');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchExpressions: [
      {
        key: namespaceLabelKey,
        operator: 'NotIn',
        values: [nsX],
      },
    ],
  };
  const allowedPod: LabelSelector = {
    matchLabels: {
      pod: 'b',
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPod }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-podselector-and-nsselector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsY, 'b'), NewPodString(nsX, 'a'), true);
  reachability.Expect(NewPodString(nsZ, 'b'), NewPodString(nsX, 'a'), true);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy based on Multiple PodSelectors and NamespaceSelectors', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'y/b', 'y/c');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchExpressions: [
      {
        key: namespaceLabelKey,
        operator: 'NotIn',
        values: [nsX],
      },
    ],
  };
  const allowedPod: LabelSelector = {
    matchExpressions: [
      {
        key: 'pod',
        operator: 'In',
        values: ['b', 'c'],
      },
    ],
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPod }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-z-pod-b-c', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachability.Expect(NewPodString(nsY, 'a'), NewPodString(nsX, 'a'), false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy based on any PodSelectors', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'x/c');
  const [nsX] = getK8sNamespaces(k8s);

  const ingressRule: NetworkPolicyIngressRule = { from: [] };
  for (const label of [{ pod: 'b' }, { pod: 'c' }]) {
    ingressRule.from?.push({ podSelector: { matchLabels: label } });
  }
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-x-pod-b-c', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);

  // Connect Pods b and c to pod a from namespace nsX
  reachability.Expect(NewPodString(nsX, 'b'), NewPodString(nsX, 'a'), true);
  reachability.Expect(NewPodString(nsX, 'c'), NewPodString(nsX, 'a'), true);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'y/b', 'z/a');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const allowedPods: LabelSelector = {
    matchLabels: {
      pod: 'a',
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPods }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-pod-a-via-namespace-pod-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsY, 'a'), NewPodString(nsX, 'a'), true);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce policy based on Ports', (f) => {
  const protocols = [protocolTCP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'y/b', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const allowedLabels: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const ingressRule: NetworkPolicyIngressRule = {
    from: [{ namespaceSelector: allowedLabels }],
    ports: [{ port: 81, protocol: protocolTCP }],
  };
  const allowPort81Policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, allowPort81Policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachability.ExpectPeer({ namespace: nsY }, { namespace: nsX, pod: 'a' }, true);
  reachability.ExpectPeer({ namespace: nsZ }, { namespace: nsX, pod: 'a' }, false);

  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce multiple, stacked policies with overlapping podSelectors', (f) => {
  const protocols = [protocolTCP];
  const ports = [80, 81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'y/b', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const allowedLabels: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  let ingressRule: NetworkPolicyIngressRule = {
    from: [{ namespaceSelector: allowedLabels }],
    ports: [{ port: 81, protocol: protocolTCP }],
  };
  const allowPort81Policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, allowPort81Policy, nsX);

  const reachabilityALLOW = NewReachability(k8s.AllPodStrings(), true);
  reachabilityALLOW.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachabilityALLOW.ExpectPeer({ namespace: nsY }, { namespace: nsX, pod: 'a' }, true);
  reachabilityALLOW.ExpectPeer({ namespace: nsZ }, { namespace: nsX, pod: 'a' }, false);

  // Verifying traffic on port 81.
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachabilityALLOW });

  const reachabilityDENY = NewReachability(k8s.AllPodStrings(), true);
  reachabilityDENY.ExpectAllIngress(NewPodString(nsX, 'a'), false);

  // Verifying traffic on port 80.
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityDENY });

  ingressRule = {
    from: [{ namespaceSelector: allowedLabels }],
    ports: [{ port: 80, protocol: protocolTCP }],
  };
  const allowPort80Policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector-80', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, allowPort80Policy, nsX);

  // Verifying that we can add a policy to unblock port 80
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityALLOW });
});

tcp.It('should support allow-all policy', (f) => {
  const protocols = [protocolTCP];
  const ports = [80, 81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-all', {}, SetSpecIngressRules({}));
  CreatePolicy(k8s, policy, nsX);

  // Testing pods can connect to both ports when an 'allow-all' policy is present.
  const reachability = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should allow ingress access on one named port', (f) => {
  const protocols = [protocolTCP];
  const ports = [80, 81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  // Blocking all ports other then 81 in the entire namespace
  const IngressRules: NetworkPolicyIngressRule = { ports: [{ port: 'serve-81-tcp' }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-all', {}, SetSpecIngressRules(IngressRules));
  CreatePolicy(k8s, policy, nsX);

  const reachabilityPort81 = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachabilityPort81 });

  // disallow all traffic to the x namespace
  const reachabilityPort80 = NewReachability(k8s.AllPodStrings(), true);
  reachabilityPort80.ExpectPeer({}, { namespace: nsX }, false);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityPort80 });
});

tcp.It('should allow ingress access from namespace on one named port', (f) => {
  const protocols = [protocolTCP];
  const ports = [80, 81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const allowedLabels: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const ingressRule: NetworkPolicyIngressRule = {
    from: [{ namespaceSelector: allowedLabels }],
    ports: [{ port: 'serve-80-tcp', protocol: protocolTCP }],
  };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector-80', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  // disallow all traffic from the x or z namespaces
  reachability.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachability.ExpectPeer({ namespace: nsZ }, { namespace: nsX, pod: 'a' }, false);

  // Verify that port 80 is allowed for namespace y
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });

  // Verify that port 81 is blocked for all namespaces including y
  const reachabilityFAIL = NewReachability(k8s.AllPodStrings(), true);
  reachabilityFAIL.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachabilityFAIL });
});

tcp.It('should allow egress access on one named port', (f) => {
  const protocols = [protocolTCP];
  const ports = [80, 81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const egressRule: NetworkPolicyEgressRule = { ports: [{ port: 'serve-80-tcp' }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-egress', {}, SetSpecEgressRules(egressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachabilityPort80 = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityPort80 });

  // meanwhile no traffic over 81 should work, since our egress policy is on 80
  const reachabilityPort81 = NewReachability(k8s.AllPodStrings(), true);
  reachabilityPort81.ExpectPeer({ namespace: nsX }, {}, false);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachabilityPort81 });
});

tcp.It('should enforce updated policy', (f) => {
  const protocols = [protocolTCP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  // Using the simplest possible mutation: start with allow all, then switch to deny all
  // part 1) allow all
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-all-mutate-to-deny-all', {}, SetSpecIngressRules({}));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachability });

  // part 2) update the policy to deny all
  policy.spec.ingress = [];
  UpdatePolicy(k8s, policy, nsX);

  const reachabilityDeny = NewReachability(k8s.AllPodStrings(), true);
  reachabilityDeny.ExpectPeer({}, { namespace: nsX }, false);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachabilityDeny });
});

tcp.It('should allow ingress access from updated namespace', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  const allowedLabels: LabelSelector = {
    matchLabels: {
      ns2: 'updated',
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedLabels }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });

  // add a new label
  AddNamespaceLabel(k8s, nsY, 'ns2', 'updated');

  // anything from namespace 'y' should be able to get to x/a
  const reachabilityWithLabel = NewReachability(k8s.AllPodStrings(), true);
  reachabilityWithLabel.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachabilityWithLabel.ExpectPeer({ namespace: nsY }, {}, true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityWithLabel });
});

tcp.It('should allow ingress access from updated pod', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b');
  const [nsX] = getK8sNamespaces(k8s);

  // add a new label
  const matchLabels = { pod: 'b', pod2: 'updated' };
  const allowedLabels: LabelSelector = { matchLabels };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ podSelector: allowedLabels }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-pod-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });

  AddPodLabels(k8s, nsX, 'b', matchLabels);

  // x/b is able to reach x/a when label is updated
  const reachabilityWithLabel = NewReachability(k8s.AllPodStrings(), true);
  reachabilityWithLabel.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachabilityWithLabel.Expect(NewPodString(nsX, 'b'), NewPodString(nsX, 'a'), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityWithLabel });
});

tcp.It('should deny ingress from pods on other namespaces', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const IngressRules: NetworkPolicyIngressRule = { from: [{ podSelector: { matchLabels: {} } }] };
  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-empty-policy', {}, SetSpecIngressRules(IngressRules));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsY }, { namespace: nsX }, false);
  reachability.ExpectPeer({ namespace: nsZ }, { namespace: nsX }, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should deny ingress access to updated pod', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-ingress-via-label-selector', { matchLabels: { target: 'isolated' } }, SetSpecIngressRules());
  CreatePolicy(k8s, policy, nsX);

  // Verify that everything can reach x/a
  const reachability = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });

  AddPodLabels(k8s, nsX, 'a', { target: 'isolated' });

  const reachabilityIsolated = NewReachability(k8s.AllPodStrings(), true);
  reachabilityIsolated.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityIsolated });
});

tcp.It('should deny egress from pods based on PodSelector', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-egress-pod-a', { matchLabels: { pod: 'a' } }, SetSpecEgressRules());
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllEgress(NewPodString(nsX, 'a'), false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should deny egress from all pods in a namespace', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-egress-ns-x', {}, SetSpecEgressRules());
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX }, {}, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should work with Ingress, Egress specified together', (f) => {
  const protocols = [protocolTCP];
  const ports = [80, 81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'x/c', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const allowedPodLabels: LabelSelector = { matchLabels: { pod: 'b' } };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ podSelector: allowedPodLabels }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-pod-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));

  // add an egress rule on to it...
  policy.spec.egress = [
    {
      ports: [
        {
          // don't use named ports
          port: 80,
        },
      ],
    },
  ];
  policy.spec.policyTypes = ['Egress', 'Ingress'];
  CreatePolicy(k8s, policy, nsX);

  const reachabilityPort80 = NewReachability(k8s.AllPodStrings(), true);
  reachabilityPort80.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachabilityPort80.Expect(NewPodString(nsX, 'b'), NewPodString(nsX, 'a'), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityPort80 });

  // validating that port 81 doesn't work
  // meanwhile no egress traffic on 81 should work, since our egress policy is on 80
  const reachabilityPort81 = NewReachability(k8s.AllPodStrings(), true);
  reachabilityPort81.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachabilityPort81.ExpectAllEgress(NewPodString(nsX, 'a'), false);
  reachabilityPort81.Expect(NewPodString(nsX, 'b'), NewPodString(nsX, 'a'), true);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachabilityPort81 });
});

tcp.It('should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)', (f) => {
  // x/a --> y/a and y/b
  // Egress allowed to y/a only. Egress to y/b should be blocked
  // Ingress on y/a and y/b allow traffic from x/a
  // Expectation: traffic from x/a to y/a allowed only, traffic from x/a to y/b denied by egress policy

  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a', 'y/b');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  // Building egress policy for x/a to y/a only
  const allowedEgressNamespaces: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const allowedEgressPods: LabelSelector = {
    matchLabels: {
      pod: 'a',
    },
  };
  const egressRule1: NetworkPolicyEgressRule = { to: [{ namespaceSelector: allowedEgressNamespaces, podSelector: allowedEgressPods }] };
  const egressPolicy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-to-ns-y-pod-a', { pod: 'a' }, SetSpecEgressRules(egressRule1));
  CreatePolicy(k8s, egressPolicy, nsX);

  // Creating ingress policy to allow from x/a to y/a and y/b
  const allowedIngressNamespaces: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsX,
    },
  };
  const allowedIngressPods: LabelSelector = {
    matchLabels: {
      pod: 'a',
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedIngressNamespaces, podSelector: allowedIngressPods }] };
  const allowIngressPolicyPodA = GenNetworkPolicyWithNameAndPodMatchLabel('allow-from-xa-on-ya-match-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  const allowIngressPolicyPodB = GenNetworkPolicyWithNameAndPodMatchLabel('allow-from-xa-on-yb-match-selector', { pod: 'b' }, SetSpecIngressRules(ingressRule));

  CreatePolicy(k8s, allowIngressPolicyPodA, nsY);
  CreatePolicy(k8s, allowIngressPolicyPodB, nsY);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX, pod: 'a' }, {}, false);
  reachability.ExpectPeer({}, { namespace: nsY, pod: 'a' }, false);
  reachability.ExpectPeer({ namespace: nsX, pod: 'a' }, { namespace: nsY, pod: 'a' }, true);
  reachability.ExpectPeer({}, { namespace: nsY, pod: 'b' }, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a', 'y/b');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const allowedPods: LabelSelector = {
    matchLabels: {
      pod: 'a',
    },
  };
  const egressRule1: NetworkPolicyEgressRule = { to: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPods }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-to-ns-y-pod-a', { pod: 'a' }, SetSpecEgressRules(egressRule1));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllEgress(NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsX, 'a'), NewPodString(nsY, 'a'), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce ingress policy allowing any port traffic to a server on a specific protocol', (f) => {
  const protocols = [protocolTCP, protocolUDP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const ingressRule: NetworkPolicyIngressRule = { ports: [{ protocol: protocolTCP }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ingress-by-proto', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachabilityTCP = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityTCP });

  const reachabilityUDP = NewReachability(k8s.AllPodStrings(), true);
  reachabilityUDP.ExpectPeer({}, { namespace: nsX, pod: 'a' }, false);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'UDP', Reachability: reachabilityUDP });
});

tcp.It('should enforce multiple ingress policies with ingress allow-all policy taking precedence', (f) => {
  const protocols = [protocolTCP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const IngressRules: NetworkPolicyIngressRule = { ports: [{ port: 80 }] };
  const policyAllowOnlyPort80 = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ingress-port-80', {}, SetSpecIngressRules(IngressRules));
  CreatePolicy(k8s, policyAllowOnlyPort80, nsX);

  // The policy targets port 80 -- so let's make sure traffic on port 81 is blocked

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({}, { namespace: nsX }, false);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachability });

  // Allowing all ports

  const policyAllowAll = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ingress', {}, SetSpecIngressRules({}));
  CreatePolicy(k8s, policyAllowAll, nsX);

  const reachabilityAll = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachabilityAll });
});

tcp.It('should enforce multiple egress policies with egress allow-all policy taking precedence', (f) => {
  const protocols = [protocolTCP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const egressRule: NetworkPolicyEgressRule = { ports: [{ port: 80 }] };
  const policyAllowPort80 = GenNetworkPolicyWithNameAndPodMatchLabel('allow-egress-port-80', {}, SetSpecEgressRules(egressRule));
  CreatePolicy(k8s, policyAllowPort80, nsX);

  // Making sure ingress doesn't work other than port 80

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX }, {}, false);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachability });

  // Allowing all ports

  const policyAllowAll = GenNetworkPolicyWithNameAndPodMatchLabel('allow-egress', {}, SetSpecEgressRules({}));
  CreatePolicy(k8s, policyAllowAll, nsX);

  const reachabilityAll = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachabilityAll });
});

tcp.It('should stop enforcing policies after they are deleted', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  // Creating a network policy for the server which denies all traffic.
  // Deny all traffic into and out of "x".
  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-all', {}, SetSpecIngressRules(), SetSpecEgressRules());
  CreatePolicy(k8s, policy, nsX);
  const reachability = NewReachability(k8s.AllPodStrings(), true);

  // Expect all traffic into, and out of "x" to be False.
  reachability.ExpectPeer({ namespace: nsX }, {}, false);
  reachability.ExpectPeer({}, { namespace: nsX }, false);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });

  k8s.cleanNetworkPolicies();

  // Now the policy is deleted, we expect all connectivity to work again.
  const reachabilityAll = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityAll });
});

tcp.It('should allow egress access to server in CIDR block', (f) => {
  // Getting podServer's status to get podServer's IP, to create the CIDR
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a', 'y/b');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  const podList = k8s.ListPods(nsY, 'pod=b');
  const pod = podList[0]!;

  const hostMask = 32; // upstream uses 128 for an IPv6 pod; the model is IPv4-only
  const podServerCIDR = `${pod.status.podIP}/${hostMask}`;
  const egressRule1: NetworkPolicyEgressRule = { to: [{ ipBlock: { cidr: podServerCIDR } }] };
  const policyAllowCIDR = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, SetSpecEgressRules(egressRule1));
  CreatePolicy(k8s, policyAllowCIDR, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllEgress(NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsX, 'a'), NewPodString(nsY, 'b'), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should enforce except clause while egress access to server in CIDR block', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'x/c');
  const [nsX] = getK8sNamespaces(k8s);

  // Getting podServer's status to get podServer's IP, to create the CIDR with except clause
  const podList = k8s.ListPods(nsX, 'pod=b');
  const podB = podList[0]!;

  // Create a rule that allows egress to a large set of IPs around
  // podB, but not podB itself.

  const podServerAllowCIDR = makeLargeCIDRForIP(podB.status.podIP);
  const hostMask = 32; // upstream uses 128 for an IPv6 pod; the model is IPv4-only
  const podServerExceptList = [`${podB.status.podIP}/${hostMask}`];

  const egressRule1: NetworkPolicyEgressRule = { to: [{ ipBlock: { cidr: podServerAllowCIDR, except: podServerExceptList } }] };
  const policyAllowCIDR = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, SetSpecEgressRules(egressRule1));

  CreatePolicy(k8s, policyAllowCIDR, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.Expect(NewPodString(nsX, 'a'), NewPodString(nsX, 'b'), false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'x/c');
  const [nsX] = getK8sNamespaces(k8s);

  // Getting podServer's status to get podServer's IP, to create the CIDR with except clause
  const podList = k8s.ListPods(nsX, 'pod=b');
  const podB = podList[0]!;

  // Create a rule that allows egress to a large set of IPs around
  // podB, but not podB itself.

  const podServerAllowCIDR = makeLargeCIDRForIP(podB.status.podIP);
  const hostMask = 32; // upstream uses 128 for an IPv6 pod; the model is IPv4-only
  const podServerExceptList = [`${podB.status.podIP}/${hostMask}`];
  const egressRule1: NetworkPolicyEgressRule = { to: [{ ipBlock: { cidr: podServerAllowCIDR, except: podServerExceptList } }] };
  const policyAllowCIDR = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, SetSpecEgressRules(egressRule1));
  CreatePolicy(k8s, policyAllowCIDR, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.Expect(NewPodString(nsX, 'a'), NewPodString(nsX, 'b'), false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });

  // Create a second NetworkPolicy which allows access to podB
  // (upstream then *updates* the first policy, which has the same name, so this
  // replaces it rather than adding a second one)
  const podBIP = `${podB.status.podIP}/${hostMask}`;
  const egressRule3: NetworkPolicyEgressRule = { to: [{ ipBlock: { cidr: podBIP } }] };
  const allowPolicy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, SetSpecEgressRules(egressRule3));
  UpdatePolicy(k8s, allowPolicy, nsX);

  const reachabilityAllow = NewReachability(k8s.AllPodStrings(), true);
  reachabilityAllow.ExpectAllEgress(NewPodString(nsX, 'a'), false);
  reachabilityAllow.Expect(NewPodString(nsX, 'a'), NewPodString(nsX, 'b'), true);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachabilityAllow });
});

tcp.It('should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  /*
    Test steps:
    1. Verify every pod in every namespace can talk to each other
       - including a -> b and b -> a
    2. Create a policy to allow egress a -> b (target = a)
    3. Create a policy to *deny* ingress b -> a (target = a)
    4. Verify a -> b allowed; b -> a blocked
  */
  const targetLabels = { pod: 'a' };

  // Creating a network policy for pod-a which allows Egress traffic to pod-b.

  const allowEgressPolicy = GenNetworkPolicyWithNameAndPodSelector('allow-egress-for-target', { matchLabels: targetLabels }, SetSpecEgressRules({}));
  CreatePolicy(k8s, allowEgressPolicy, nsX);

  const allowEgressReachability = NewReachability(k8s.AllPodStrings(), true);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: allowEgressReachability });

  // Creating a network policy for pod-a that denies traffic from pod-b.

  const denyAllIngressPolicy = GenNetworkPolicyWithNameAndPodSelector('deny-ingress-via-label-selector', { matchLabels: targetLabels }, SetSpecIngressRules());
  CreatePolicy(k8s, denyAllIngressPolicy, nsX);

  const denyIngressToXReachability = NewReachability(k8s.AllPodStrings(), true);
  denyIngressToXReachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: denyIngressToXReachability });
});

// This test *does* apply to plugins that do not implement SCTP. It is a
// security hole if you fail this test, because you are allowing TCP
// traffic that is supposed to be blocked.
tcp.It("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP", (f) => {
  const protocols = [protocolTCP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  // Creating a default-deny ingress policy.
  // Empty podSelector blocks the entire namespace
  let policy = GenNetworkPolicyWithNameAndPodSelector('deny-ingress', {}, SetSpecIngressRules());
  CreatePolicy(k8s, policy, nsX);

  // Creating a network policy for the server which allows traffic only via SCTP on port 81.
  const ingressRule: NetworkPolicyIngressRule = { ports: [{ port: 81, protocol: protocolSCTP }] };
  policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-only-sctp-ingress-on-port-81', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  // Trying to connect to TCP port 81, which should be blocked by the deny-ingress policy.
  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({}, { namespace: nsX }, false);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachability });
});

// This test *does* apply to plugins that do not implement SCTP. It is a
// security hole if you fail this test, because you are allowing TCP
// traffic that is supposed to be blocked.
tcp.It("should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP", (f) => {
  const protocols = [protocolTCP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  // Creating a network policy for the server which allows traffic only via SCTP on port 80.
  const ingressRule: NetworkPolicyIngressRule = { ports: [{ port: 80, protocol: protocolSCTP }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-only-sctp-ingress-on-port-80', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  // Trying to connect to TCP port 81, which should be blocked by implicit isolation.
  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachability });
});

tcp.It('should not allow access by TCP when a policy specifies only UDP', (f) => {
  const protocols = [protocolTCP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'y/a');
  const [nsX] = getK8sNamespaces(k8s);

  const ingressRule: NetworkPolicyIngressRule = { ports: [{ port: 81, protocol: protocolUDP }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-only-udp-ingress-on-port-81', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  // Creating a network policy for the server which allows traffic only via UDP on port 81.

  // Probing with TCP, so all traffic should be dropped.
  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'TCP', Reachability: reachability });
});

// Note that this default ns functionality is maintained by the APIMachinery group, but we test it here anyways because its an important feature.
tcp.It('should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const allowedLabels: LabelSelector = {
    matchLabels: {
      [LabelMetadataName]: nsY,
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedLabels }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector-for-immutable-ns-label', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachability.ExpectPeer({ namespace: nsZ }, { namespace: nsX, pod: 'a' }, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

// Note that this default ns functionality is maintained by the APIMachinery group, but we test it here anyways because its an important feature.
tcp.It('should enforce policy based on NamespaceSelector with MatchExpressions using default ns label', (f) => {
  const protocols = [protocolTCP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchExpressions: [
      {
        key: LabelMetadataName,
        operator: 'NotIn',
        values: [nsY],
      },
    ],
  };
  const egressRule: NetworkPolicyEgressRule = { to: [{ namespaceSelector: allowedNamespaces }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-match-selector-for-immutable-ns-label', { pod: 'a' }, SetSpecEgressRules(egressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX, pod: 'a' }, { namespace: nsY }, false);
  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'TCP', Reachability: reachability });
});

const udp = Context('NetworkPolicy between server and client using UDP', cases);

udp.It("should support a 'default-deny-ingress' policy", (f) => {
  const protocols = [protocolUDP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'y/b');
  const [nsX] = getK8sNamespaces(k8s);

  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-all', {}, SetSpecIngressRules());
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({}, { namespace: nsX }, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'UDP', Reachability: reachability });
});

udp.It('should enforce policy based on Ports', (f) => {
  const protocols = [protocolUDP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const allowedLabels: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const ingressRule: NetworkPolicyIngressRule = {
    from: [{ namespaceSelector: allowedLabels }],
    ports: [{ port: 81, protocol: protocolUDP }],
  };
  const allowPort81Policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ingress-on-port-81-ns-x', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, allowPort81Policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachability.ExpectPeer({ namespace: nsZ }, { namespace: nsX, pod: 'a' }, false);

  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'UDP', Reachability: reachability });
});

udp.It('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', (f) => {
  const protocols = [protocolUDP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const allowedPods: LabelSelector = {
    matchLabels: {
      pod: 'a',
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPods }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-pod-a-via-namespace-pod-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsY, 'a'), NewPodString(nsX, 'a'), true);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'UDP', Reachability: reachability });
});

const sctp = Context('NetworkPolicy between server and client using SCTP', cases);

sctp.It("should support a 'default-deny-ingress' policy", (f) => {
  const protocols = [protocolSCTP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'y/b');
  const [nsX] = getK8sNamespaces(k8s);

  const policy = GenNetworkPolicyWithNameAndPodSelector('deny-all', {}, SetSpecIngressRules());
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({}, { namespace: nsX }, false);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'SCTP', Reachability: reachability });
});

sctp.It('should enforce policy based on Ports', (f) => {
  const protocols = [protocolSCTP];
  const ports = [81];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a', 'z/a');
  const [nsX, nsY, nsZ] = getK8sNamespaces(k8s);

  const allowedLabels: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const ingressRule: NetworkPolicyIngressRule = {
    from: [{ namespaceSelector: allowedLabels }],
    ports: [{ port: 81, protocol: protocolSCTP }],
  };
  const allowPort81Policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ingress-on-port-81-ns-x', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, allowPort81Policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectPeer({ namespace: nsX }, { namespace: nsX, pod: 'a' }, false);
  reachability.ExpectPeer({ namespace: nsZ }, { namespace: nsX, pod: 'a' }, false);

  ValidateOrFail(k8s, { ToPort: 81, Protocol: 'SCTP', Reachability: reachability });
});

sctp.It('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', (f) => {
  const protocols = [protocolSCTP];
  const ports = [80];
  const k8s = initializeResources(f, protocols, ports, 'x/a', 'x/b', 'y/a');
  const [nsX, nsY] = getK8sNamespaces(k8s);

  const allowedNamespaces: LabelSelector = {
    matchLabels: {
      [namespaceLabelKey]: nsY,
    },
  };
  const allowedPods: LabelSelector = {
    matchLabels: {
      pod: 'a',
    },
  };
  const ingressRule: NetworkPolicyIngressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPods }] };
  const policy = GenNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-pod-a-via-namespace-pod-selector', { pod: 'a' }, SetSpecIngressRules(ingressRule));
  CreatePolicy(k8s, policy, nsX);

  const reachability = NewReachability(k8s.AllPodStrings(), true);
  reachability.ExpectAllIngress(NewPodString(nsX, 'a'), false);
  reachability.Expect(NewPodString(nsY, 'a'), NewPodString(nsX, 'a'), true);

  ValidateOrFail(k8s, { ToPort: 80, Protocol: 'SCTP', Reachability: reachability });
});
