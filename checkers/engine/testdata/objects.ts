/** Terse builders for engine tests: objects shaped exactly like Kubernetes API JSON. */
type Labels = Record<string, string>;
type Port = { containerPort: number; name?: string; protocol?: string };

export const ns = (name: string, labels: Labels = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

export const pod = (namespace: string, name: string, labels: Labels, ports: Port[] = [{ containerPort: 80 }], ips?: string[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, labels },
  spec: { containers: [{ name: 'main', image: 'agnhost', ports }] },
  ...(ips ? { status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } } : {}),
});

export const np = (namespace: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace, name },
  spec,
});
