/**
 * @module
 * The endpoints controller (and the EndpointSlice controller): for each Service with a
 * selector, the ready and not-ready addresses of the pods it selects, with targetPort
 * names resolved against each pod's container ports.
 */
import type { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';

interface Port {
  name?: string;
  port: number;
  protocol: string;
}

export function reconcileEndpoints(store: ObjectStore): void {
  const allPods = store.scan('pods');
  for (const svc of store.scan('services')) {
    const selector = svc.spec?.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0) continue; // endpoints of selector-less Services are the user's
    const ns = svc.metadata.namespace!;
    const pods = allPods
      .filter((p) => p.metadata.namespace === ns)
      .filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v) && p.status?.podIP && !p.metadata.deletionTimestamp);
    const svcPorts = (svc.spec?.ports ?? []) as { name?: string; port: number; protocol?: string; targetPort?: number | string }[];
    // One subset per distinct resolved port set, as the endpoints controller groups them.
    const subsets = new Map<string, { addresses: unknown[]; notReadyAddresses: unknown[]; ports: Port[] }>();
    const slices: { addresses: string[]; ready: boolean; pod: Readonly<KObject>; ports: Port[] }[] = [];
    for (const pod of pods) {
      const ports: Port[] = [];
      for (const sp of svcPorts) {
        const target = resolveTarget(pod, sp.targetPort ?? sp.port, sp.protocol ?? 'TCP');
        if (target !== undefined) ports.push({ ...(sp.name ? { name: sp.name } : {}), port: target, protocol: sp.protocol ?? 'TCP' });
      }
      if (ports.length === 0 && svcPorts.length > 0) continue;
      const ready = (pod.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      const key = JSON.stringify(ports);
      let subset = subsets.get(key);
      if (!subset) subsets.set(key, (subset = { addresses: [], notReadyAddresses: [], ports }));
      const address = { ip: pod.status!.podIP, nodeName: pod.spec?.nodeName, targetRef: { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid } };
      (ready ? subset.addresses : subset.notReadyAddresses).push(address);
      slices.push({ addresses: [String(pod.status!.podIP)], ready, pod, ports });
    }
    const endpoints: KObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: svc.metadata.name, namespace: ns, labels: svc.metadata.labels ?? {} },
      subsets: [...subsets.values()].map((s) => ({
        ...(s.addresses.length ? { addresses: s.addresses } : {}),
        ...(s.notReadyAddresses.length ? { notReadyAddresses: s.notReadyAddresses } : {}),
        ports: s.ports,
      })),
    };
    if (endpoints.subsets && (endpoints.subsets as unknown[]).length === 0) delete endpoints.subsets;
    upsert(store, 'endpoints', endpoints, (o) => ({ subsets: o.subsets, labels: o.metadata.labels }));
    const slice: KObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${svc.metadata.name}-${svc.metadata.uid!.slice(0, 5)}`,
        namespace: ns,
        labels: { ...svc.metadata.labels, 'kubernetes.io/service-name': svc.metadata.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid!, controller: true }],
      },
      addressType: 'IPv4',
      endpoints: slices.map((s) => ({
        addresses: s.addresses,
        conditions: { ready: s.ready, serving: s.ready, terminating: false },
        nodeName: s.pod.spec?.nodeName,
        targetRef: { kind: 'Pod', namespace: ns, name: s.pod.metadata.name, uid: s.pod.metadata.uid },
      })),
      // A slice's port always has a name, "" when unnamed, as the real controller writes it:
      // kubectl describe dereferences it (a missing one crashed `kubectl describe svc`).
      ports: (slices[0]?.ports ?? svcPorts.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: null, protocol: p.protocol ?? 'TCP' }))).map((p) => ({ name: '', ...p })),
    };
    upsert(store, 'endpointslices', slice, (o) => ({ endpoints: o.endpoints, ports: o.ports }));
  }
  // Endpoints whose Service is gone go with it.
  for (const r of ['endpoints', 'endpointslices'] as const) {
    for (const e of store.scan(r)) {
      const svcName = r === 'endpoints' ? e.metadata.name : e.metadata.labels?.['kubernetes.io/service-name'];
      if (svcName && !store.get('services', e.metadata.namespace, svcName)) store.delete(r, e.metadata.namespace, e.metadata.name);
    }
  }
}

function resolveTarget(pod: Readonly<KObject>, target: number | string, protocol: string): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of (pod.spec?.containers ?? []) as { ports?: { name?: string; containerPort: number; protocol?: string }[] }[]) {
    const p = c.ports?.find((x) => x.name === target && (x.protocol ?? 'TCP') === protocol);
    if (p) return p.containerPort;
  }
  return undefined;
}

/** Writes only when the interesting part changed, so the controller does not feed its own watch. */
function upsert(store: ObjectStore, resource: 'endpoints' | 'endpointslices', obj: KObject, view: (o: KObject) => unknown): void {
  const old = store.get(resource, obj.metadata.namespace, obj.metadata.name);
  if (!old) {
    store.create(resource, obj);
    return;
  }
  if (JSON.stringify(view(old)) === JSON.stringify(view(obj))) return;
  store.update(resource, { ...obj, metadata: { ...old.metadata, labels: obj.metadata.labels } });
}
