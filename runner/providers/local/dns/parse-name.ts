/**
 * @module
 * Splits a query name inside a zone into the parts the Kubernetes DNS schema gives it,
 * as CoreDNS's kubernetes plugin does (plugin/kubernetes/parse.go). The possible shapes:
 *
 * 1. `_<port>._<proto>.<service>.<ns>.svc|pod.<zone>` (SRV; the underscores are optional)
 * 2. `<endpoint>.<service>.<ns>.svc|pod.<zone>`
 * 3. `<service>.<ns>.svc|pod.<zone>`
 * 4. shorter names: `svc.<zone>` and the zone itself exist with no records, and so does
 *    `<ns>.svc.<zone>` when the namespace does
 *
 * Anything longer, or not under `svc`/`pod`, is not a name this schema has.
 */

export interface NameParts {
  /** `''` for the shape-4 names that exist but hold nothing. */
  kind: '' | 'svc' | 'pod';
  namespace: string;
  /** The Service name, or for `pod` names the dashed address. */
  service: string;
  /** The first label of a shape-2 name: an endpoint hostname or dashed address. */
  endpoint: string;
  /** Port name and protocol from a shape-1 name; `''` matches any. */
  port: string;
  protocol: string;
}

/** `name` and `zone` are lower case without the trailing dot; undefined means NXDOMAIN. */
export function parseName(name: string, zone: string): NameParts | undefined {
  const parts: NameParts = { kind: '', namespace: '', service: '', endpoint: '', port: '', protocol: '' };
  const base = name === zone ? '' : name.slice(0, -(zone.length + 1));
  if (base === '' || base === 'svc' || base === 'pod') return parts;

  const labels = base.split('.');
  const kind = labels.pop();
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  parts.kind = kind;
  parts.namespace = labels.pop() ?? '';
  parts.service = labels.pop() ?? '';
  switch (labels.length) {
    case 0:
      return parts;
    case 1:
      parts.endpoint = labels[0]!;
      return parts;
    case 2:
      parts.port = labels[0]!.replace(/^_/, '');
      parts.protocol = labels[1]!.replace(/^_/, '');
      return parts;
    default:
      // Too long to be anything: a search-path expansion like `web.ns.svc.cluster.local.ns.svc.cluster.local`.
      return undefined;
  }
}
