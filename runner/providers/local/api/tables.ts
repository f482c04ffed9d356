/**
 * @module
 * Server-side printing: the Table kube-apiserver returns for `kubectl get`, with the same
 * columns per resource (pkg/printers/internalversion/printers.go). kubectl adds NAMESPACE,
 * LABELS and -L columns itself from each row's object metadata, and shows priority-1 columns
 * only with -o wide — so every cell is always sent.
 */
import { formatSelector } from '../../../../checkers/engine/selector.ts';
import type { KObject, Resource } from '../store/types.ts';

type Col = [name: string, priority?: number, type?: string];
type Printer = { columns: Col[]; cells(o: KObject, now: number): (string | number)[] };

/** kubectl's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
}

const age = (o: KObject, now: number) => (o.metadata.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : '<unknown>');
type Status = { phase?: string; reason?: string; podIP?: string; podIPs?: { ip: string }[]; containerStatuses?: { ready: boolean; restartCount: number; state?: Record<string, { reason?: string; finishedAt?: string }>; lastState?: { terminated?: { finishedAt?: string } } }[] };

function podStatus(o: KObject): string {
  const st = (o.status ?? {}) as Status;
  let reason = st.reason ?? st.phase ?? 'Pending';
  for (const c of st.containerStatuses ?? []) {
    const w = c.state?.waiting?.reason;
    const t = c.state?.terminated?.reason;
    if (w) reason = w;
    else if (t && reason !== 'Running') reason = t;
  }
  if (o.metadata.deletionTimestamp && reason !== 'Succeeded' && reason !== 'Failed') reason = 'Terminating';
  return reason;
}

const conditionStatus = (o: KObject, type: string) => ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === type)?.status ?? '';

const PRINTERS: Partial<Record<Resource, Printer>> = {
  pods: {
    columns: [['Name'], ['Ready'], ['Status'], ['Restarts'], ['Age'], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]],
    cells(o, now) {
      const st = (o.status ?? {}) as Status;
      const cs = st.containerStatuses ?? [];
      const total = ((o.spec?.containers as unknown[] | undefined) ?? []).length;
      const restarts = cs.reduce((n, c) => n + c.restartCount, 0);
      const last = cs.map((c) => c.lastState?.terminated?.finishedAt).filter(Boolean).sort().at(-1);
      return [
        o.metadata.name,
        `${cs.filter((c) => c.ready).length}/${total}`,
        podStatus(o),
        last && restarts > 0 ? `${restarts} (${humanDuration(now - Date.parse(last))} ago)` : String(restarts),
        age(o, now),
        st.podIPs?.[0]?.ip ?? st.podIP ?? '<none>',
        (o.spec?.nodeName as string | undefined) ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  services: {
    columns: [['Name'], ['Type'], ['Cluster-IP'], ['External-IP'], ['Port(s)'], ['Age'], ['Selector', 1]],
    cells(o, now) {
      const spec = (o.spec ?? {}) as { type?: string; clusterIPs?: string[]; clusterIP?: string; externalName?: string; ports?: { port: number; nodePort?: number; protocol?: string }[]; selector?: Record<string, string> };
      const type = spec.type ?? 'ClusterIP';
      const ports = (spec.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
      const lb = ((o.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).filter(Boolean).join(',');
      const external = type === 'ExternalName' ? (spec.externalName ?? '<none>') : type === 'LoadBalancer' ? lb || '<pending>' : '<none>';
      return [o.metadata.name, type, spec.clusterIPs?.[0] ?? spec.clusterIP ?? '<none>', external, ports || '<none>', age(o, now), spec.selector ? formatSelector({ matchLabels: spec.selector }) : '<none>'];
    },
  },
  namespaces: { columns: [['Name'], ['Status'], ['Age']], cells: (o, now) => [o.metadata.name, String((o.status as { phase?: string } | undefined)?.phase ?? 'Active'), age(o, now)] },
  nodes: {
    columns: [['Name'], ['Status'], ['Roles'], ['Age'], ['Version'], ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1]],
    cells(o, now) {
      const st = (o.status ?? {}) as { conditions?: { type: string; status: string }[]; addresses?: { type: string; address: string }[]; nodeInfo?: Record<string, string> };
      const roles = Object.keys(o.metadata.labels ?? {}).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.split('/')[1]).join(',') || '<none>';
      const ready = st.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady';
      const addr = (t: string) => st.addresses?.find((a) => a.type === t)?.address ?? '<none>';
      return [o.metadata.name, ready, roles, age(o, now), st.nodeInfo?.kubeletVersion ?? '', addr('InternalIP'), addr('ExternalIP'), st.nodeInfo?.osImage ?? '', st.nodeInfo?.kernelVersion ?? '', st.nodeInfo?.containerRuntimeVersion ?? ''];
    },
  },
  configmaps: { columns: [['Name'], ['Data'], ['Age']], cells: (o, now) => [o.metadata.name, Object.keys((o.data as object | undefined) ?? {}).length + Object.keys((o.binaryData as object | undefined) ?? {}).length, age(o, now)] },
  endpoints: {
    columns: [['Name'], ['Endpoints'], ['Age']],
    cells(o, now) {
      const list = ((o.subsets ?? []) as { addresses?: { ip: string }[]; ports?: { port: number }[] }[]).flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports?.length ? s.ports.map((p) => `${a.ip}:${p.port}`) : [a.ip])));
      return [o.metadata.name, list.length === 0 ? '<none>' : list.slice(0, 3).join(',') + (list.length > 3 ? ` + ${list.length - 3} more...` : ''), age(o, now)];
    },
  },
  endpointslices: {
    columns: [['Name'], ['AddressType'], ['Ports'], ['Endpoints'], ['Age']],
    cells(o, now) {
      const ports = ((o.ports ?? []) as { port: number | null }[]).map((p) => p.port).filter((p) => p !== null);
      const eps = ((o.endpoints ?? []) as { addresses: string[] }[]).flatMap((e) => e.addresses);
      const short = (l: unknown[]) => (l.length === 0 ? '<unset>' : l.slice(0, 3).join(',') + (l.length > 3 ? ` + ${l.length - 3} more...` : ''));
      return [o.metadata.name, String(o.addressType ?? 'IPv4'), short(ports), short(eps), age(o, now)];
    },
  },
  networkpolicies: {
    columns: [['Name'], ['Pod-Selector'], ['Age']],
    cells(o, now) {
      const sel = (o.spec?.podSelector ?? {}) as Parameters<typeof formatSelector>[0];
      const text = formatSelector(sel);
      return [o.metadata.name, text === '{}' ? '<none>' : text, age(o, now)];
    },
  },
  secrets: {
    columns: [['Name'], ['Type'], ['Data'], ['Age']],
    cells: (o, now) => [o.metadata.name, String(o.type ?? 'Opaque'), Object.keys((o.data as object | undefined) ?? {}).length, age(o, now)],
  },
  ingressclasses: {
    columns: [['Name'], ['Controller'], ['Parameters'], ['Age']],
    cells(o, now) {
      const p = o.spec?.parameters as { apiGroup?: string; kind?: string; name?: string } | undefined;
      // printers.go: "<kind>.<apiGroup>/<name>", the group left out when empty.
      const params = p ? `${p.kind ?? ''}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
      return [o.metadata.name, String(o.spec?.controller ?? ''), params, age(o, now)];
    },
  },
  ingresses: {
    columns: [['Name'], ['Class'], ['Hosts'], ['Address'], ['Ports'], ['Age']],
    cells(o, now) {
      const spec = (o.spec ?? {}) as { ingressClassName?: string; rules?: { host?: string }[]; tls?: unknown[] };
      const rules = spec.rules ?? [];
      const hosts = rules.map((r) => r.host).filter((h): h is string => !!h);
      let hostText = hosts.slice(0, 3).join(',');
      if (rules.length > 3) hostText += ` + ${rules.length - 3} more...`;
      const lb = ((o.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter((a): a is string => !!a);
      const address = [...new Set(lb)].sort().join(',');
      return [o.metadata.name, spec.ingressClassName ?? '<none>', hostText || '*', address, spec.tls?.length ? '80, 443' : '80', age(o, now)];
    },
  },
  // The Gateway API kinds print their CRDs' additionalPrinterColumns (config/crd/standard): the
  // first JSONPath result, arrays as JSON, a missing value as an empty cell.
  gatewayclasses: {
    columns: [['Name'], ['Controller'], ['Accepted'], ['Age'], ['Description', 1]],
    cells: (o, now) => [o.metadata.name, String(o.spec?.controllerName ?? ''), conditionStatus(o, 'Accepted'), age(o, now), String(o.spec?.description ?? '')],
  },
  gateways: {
    columns: [['Name'], ['Class'], ['Address'], ['Programmed'], ['Age']],
    cells(o, now) {
      const address = ((o.status as { addresses?: { value?: string }[] } | undefined)?.addresses ?? [])[0]?.value ?? '';
      return [o.metadata.name, String(o.spec?.gatewayClassName ?? ''), address, conditionStatus(o, 'Programmed'), age(o, now)];
    },
  },
  httproutes: {
    columns: [['Name'], ['Hostnames'], ['Age']],
    cells: (o, now) => [o.metadata.name, Array.isArray(o.spec?.hostnames) ? JSON.stringify(o.spec.hostnames) : '', age(o, now)],
  },
  events: {
    columns: [['Last Seen'], ['Type'], ['Reason'], ['Object'], ['Subobject', 1], ['Source', 1], ['Message'], ['First Seen', 1], ['Count', 1], ['Name', 1]],
    cells(o, now) {
      const inv = (o.involvedObject ?? {}) as { kind?: string; name?: string; fieldPath?: string };
      const src = (o.source ?? {}) as { component?: string; host?: string };
      const since = (t: unknown) => (typeof t === 'string' ? humanDuration(now - Date.parse(t)) : '<unknown>');
      return [since(o.lastTimestamp), String(o.type ?? ''), String(o.reason ?? ''), `${String(inv.kind ?? '').toLowerCase()}/${inv.name ?? ''}`, inv.fieldPath ?? '', [src.component, src.host].filter(Boolean).join(', '), String(o.message ?? '').trim(), since(o.firstTimestamp), Number(o.count ?? 1), o.metadata.name];
    },
  },
};

export function table(resource: Resource, objects: KObject[], resourceVersion: string, includeObject: string | null): object {
  const p = PRINTERS[resource] ?? { columns: [['Name'], ['Created At', 0, 'date']] as Col[], cells: (o: KObject) => [o.metadata.name, o.metadata.creationTimestamp ?? ''] };
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: p.columns.map(([name, priority = 0, type = 'string']) => ({ name, type, format: name === 'Name' ? 'name' : '', description: name, priority })),
    rows: objects.map((o) => ({
      cells: p.cells(o, now),
      object:
        includeObject === 'None'
          ? null
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
