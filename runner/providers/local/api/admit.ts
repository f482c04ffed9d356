/**
 * @module
 * What the API server does to an object before it is stored: validation (the same zod
 * schemas as the engine, so a policy the engine rejects is rejected here with the same
 * words) and defaulting as kube-apiserver does it (policyTypes, Service ports and
 * ClusterIPs, pod restartPolicy/dnsPolicy, namespace finalizers).
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import { defaultPolicyTypes } from '../../../../checkers/engine/index.ts';
import { fieldPath, readObjects, unknownFields } from '../../../../checkers/k8s/objects.ts';
import { parseIP, formatIP } from '../../../../checkers/net/ip.ts';
import { SERVICE_CIDR } from '../config.ts';
import type { ObjectStore } from '../store/store.ts';
import type { KObject, Resource } from '../store/types.ts';
import { admitGateway, admitGatewayClass, admitHTTPRoute } from './gateway.ts';
import { admitIngress, admitIngressClass, admitSecret } from './networking.ts';
import { unknownNetworkingFields } from './schemas.ts';

type Admit = (o: KObject, store: ObjectStore) => KObject;

const admitters: Partial<Record<Resource, Admit>> = {
  namespaces: (o) => {
    validate(o);
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
    o.spec = { finalizers: ['kubernetes'], ...o.spec };
    o.status = { phase: 'Active' };
    return o;
  },
  pods: (o) => {
    validate(o);
    const spec = (o.spec ??= {}) as Record<string, unknown>;
    spec.restartPolicy ??= 'Always';
    spec.dnsPolicy ??= 'ClusterFirst';
    spec.terminationGracePeriodSeconds ??= 30;
    spec.schedulerName ??= 'default-scheduler';
    spec.serviceAccountName ??= 'default';
    spec.enableServiceLinks ??= true;
    for (const c of (spec.containers ?? []) as Record<string, unknown>[]) {
      c.imagePullPolicy ??= String(c.image ?? '').endsWith(':latest') || !String(c.image ?? '').includes(':') ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      for (const p of (c.ports ?? []) as Record<string, unknown>[]) p.protocol ??= 'TCP';
    }
    o.status = { phase: 'Pending', qosClass: 'BestEffort', ...o.status };
    return o;
  },
  services: (o, store) => {
    validate(o);
    const spec = (o.spec ??= {}) as Record<string, unknown>;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.type !== 'ExternalName') {
      spec.clusterIP ??= allocateClusterIP(store);
      spec.clusterIPs ??= [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
    }
    const ports = (spec.ports ?? []) as Record<string, unknown>[];
    for (const p of ports) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
      // 0 (kubectl create service sends it) means "allocate one", as the API server reads it.
      if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !p.nodePort) p.nodePort = allocateNodePort(store, ports.map((q) => q.nodePort));
    }
    // The load-balancer controller owns status.loadBalancer: an update keeps what it assigned.
    o.status = { loadBalancer: spec.type === 'LoadBalancer' ? ((o.status as { loadBalancer?: object } | undefined)?.loadBalancer ?? {}) : {} };
    return o;
  },
  secrets: (o) => admitSecret(o),
  ingressclasses: admitIngressClass,
  ingresses: admitIngress,
  gatewayclasses: admitGatewayClass,
  gateways: admitGateway,
  httproutes: admitHTTPRoute,
  networkpolicies: (o) => {
    validate(o);
    const spec = o.spec as Parameters<typeof defaultPolicyTypes>[0];
    const types = defaultPolicyTypes(spec);
    (o.spec as Record<string, unknown>).policyTypes = [...(types.ingress ? ['Ingress'] : []), ...(types.egress ? ['Egress'] : [])];
    for (const dir of ['ingress', 'egress'] as const) {
      for (const rule of spec[dir] ?? []) for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
    }
    return o;
  },
};

/** How the server treats unknown fields (the `fieldValidation` query parameter; Warn when absent, as since 1.27). */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/**
 * Validates and defaults `o` for `resource`; returns the object to store. Unknown fields are an
 * error under Strict (kubectl's default), else dropped, each reported to `warn` under Warn.
 */
export function admit(resource: Resource, o: KObject, store: ObjectStore, fieldValidation: FieldValidation = 'Warn', warn: (m: string) => void = () => {}): KObject {
  const copy = structuredClone(o);
  const ours = unknownNetworkingFields(copy);
  if (fieldValidation === 'Strict' && ours.length) {
    throw new FlatnetError('Invalid', `${o.kind} "${o.metadata.name}" is invalid: strict decoding error: ${ours.map((p) => `unknown field "${fieldPath(p)}"`).join(', ')}`);
  }
  if (fieldValidation !== 'Strict') {
    for (const path of [...unknownFields(copy), ...ours]) {
      dropField(copy, path);
      if (fieldValidation === 'Warn') warn(`unknown field "${fieldPath(path)}"`);
    }
  }
  return admitters[resource]?.(copy, store) ?? copy;
}

function dropField(o: unknown, path: readonly (string | number)[]): void {
  let at = o as Record<string | number, unknown> | undefined;
  for (const p of path.slice(0, -1)) at = at?.[p] as typeof at;
  if (at) delete at[path.at(-1)!];
}

/** Kinds the engine knows are checked with its schemas (the same messages `flatnet reach` prints). */
function validate(o: KObject): void {
  try {
    readObjects([o]);
  } catch (e) {
    if (e instanceof FlatnetError) {
      const first = e.details[0] ?? e;
      const field = first.where.field ? `${first.where.field}: ` : '';
      throw new FlatnetError('Invalid', `${o.kind} "${o.metadata.name}" is invalid: ${field}${first.message}`);
    }
    throw e;
  }
}

function allocateClusterIP(store: ObjectStore): string {
  const used = new Set(store.list('services').flatMap((s) => ((s.spec?.clusterIPs as string[] | undefined) ?? [])));
  const base = parseIP(SERVICE_CIDR.split('/')[0]!)!.value;
  // .1 is the kubernetes Service and .10 kube-dns, as on every kubeadm cluster; the rest are handed out pseudo-randomly.
  for (let i = 0; i < 65000; i++) {
    const offset = 11 + ((i * 7919 + used.size * 104729) % 65000);
    const ip = formatIP({ family: 4, value: base + BigInt(offset) });
    if (!used.has(ip) && !ip.endsWith('.0') && !ip.endsWith('.255')) return ip;
  }
  throw new FlatnetError('ServiceCIDRFull', `no free address in ${SERVICE_CIDR}`, {}, 'delete unused Services');
}

/** A free node port; `own` are the ports this Service already holds (two ports of one Service need two). */
function allocateNodePort(store: ObjectStore, own: readonly unknown[] = []): number {
  const used = new Set([
    ...store.list('services').flatMap((s) => ((s.spec?.ports as { nodePort?: number }[] | undefined) ?? []).map((p) => p.nodePort)),
    ...own,
  ]);
  for (let i = 0; i < 2768; i++) {
    const port = 30000 + ((i * 131 + used.size * 977) % 2768);
    if (!used.has(port)) return port;
  }
  throw new FlatnetError('NodePortsFull', 'no free node port in 30000-32767', {}, 'delete unused NodePort Services');
}
