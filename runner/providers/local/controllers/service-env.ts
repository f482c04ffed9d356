/**
 * The environment variables the kubelet gives every container for the Services of its
 * namespace (plus `kubernetes` from default), as `enableServiceLinks` does.
 */
import type { ObjectStore } from '../store/store.ts';

export function serviceEnv(store: ObjectStore, namespace: string): Record<string, string> {
  const env: Record<string, string> = {};
  const services = [...store.list('services', namespace), ...(namespace === 'default' ? [] : store.list('services', 'default').filter((s) => s.metadata.name === 'kubernetes'))];
  for (const svc of services) {
    const ip = svc.spec?.clusterIP as string | undefined;
    if (!ip || ip === 'None') continue;
    const prefix = svc.metadata.name.toUpperCase().replace(/-/g, '_');
    const ports = (svc.spec?.ports ?? []) as { name?: string; port: number; protocol?: string }[];
    const first = ports[0];
    if (!first) continue;
    env[`${prefix}_SERVICE_HOST`] = ip;
    env[`${prefix}_SERVICE_PORT`] = String(first.port);
    for (const p of ports) {
      if (p.name) env[`${prefix}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port);
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const base = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      env[base] = `${proto}://${ip}:${p.port}`;
      env[`${base}_PROTO`] = proto;
      env[`${base}_PORT`] = String(p.port);
      env[`${base}_ADDR`] = ip;
    }
    env[`${prefix}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`;
  }
  return env;
}
