/**
 * A synthetic cluster for benchmarks: N pods over 50 namespaces and 200 policies mixing every
 * peer kind (pod/namespace selectors, AND peers, ipBlocks, named ports, ranges). Seeded, so
 * every run measures the same input.
 */
export function syntheticWorld(pods: number, namespaces = 50, policies = 200): unknown[] {
  let seed = 42;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const objects: unknown[] = [];
  for (let n = 0; n < namespaces; n++) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}`, labels: { team: `t${n % 5}`, env: n % 2 ? 'prod' : 'dev' } } });
  }
  for (let p = 0; p < pods; p++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: `ns-${p % namespaces}`, name: `pod-${p}`, labels: { app: `app-${rand(10)}`, tier: ['web', 'api', 'db'][rand(3)] } },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }, ...(p % 4 === 0 ? [{ containerPort: 53, protocol: 'UDP' }] : [])] }] },
    });
  }
  const peers = [
    () => ({ podSelector: { matchLabels: { app: `app-${rand(10)}` } } }),
    () => ({ namespaceSelector: { matchLabels: { team: `t${rand(5)}` } } }),
    () => ({ namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] } }),
    () => ({ ipBlock: { cidr: '10.244.0.0/16', except: [`10.244.${rand(256)}.0/24`] } }),
  ];
  const ports = [() => [{ port: 80 }], () => [{ port: 'http' }], () => [{ port: 50, endPort: 60, protocol: 'UDP' }], () => undefined];
  for (let i = 0; i < policies; i++) {
    const spec: Record<string, unknown> =
      i % 4 === 0
        ? { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }
        : {
            podSelector: { matchLabels: { tier: ['web', 'api', 'db'][rand(3)] } },
            ingress: [{ from: [peers[rand(4)]!(), peers[rand(4)]!()], ports: ports[rand(4)]!() }],
            egress: [{ to: [peers[rand(4)]!()], ports: ports[rand(4)]!() }],
          };
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: `ns-${i % namespaces}`, name: `pol-${i}` }, spec });
  }
  return objects;
}
