/**
 * @module
 * Semantic lint of a lab, beyond its schema: images the providers have, namespaces
 * that exist, no copy of what every cluster already has, one `applied` check per task,
 * check endpoints that match pods, and nothing that needs the Internet at grade time.
 */
import { errors, type FlatnetError, labErrors, type Where } from '../errors.ts';
import type { FieldPath } from '../k8s/manifests.ts';
import { fieldPath } from '../k8s/objects.ts';
import { BASELINE } from '../lab/baseline.ts';
import type { Check, Endpoint } from '../lab/check.ts';
import { isSupportedImage, SUPPORTED_IMAGES } from '../lab/images.ts';
import type { LabBundle } from '../lab/sources.ts';
import { describeEndpoint, expand } from './endpoints.ts';
import { startLayers } from './grade.ts';
import { buildWorld, type World } from './world.ts';
import { parseIP } from '../net/ip.ts';

export function lintLab(bundle: LabBundle): FlatnetError[] {
  const { lab } = bundle;
  const at = (path: FieldPath): Where => ({ file: bundle.file, line: bundle.lineOf(path), field: fieldPath(path) });
  const out: FlatnetError[] = [];

  const declared = new Set([...BASELINE.namespaces.map((n) => n.name), ...lab.setup.namespaces.map((n) => n.name)]);
  const seen = new Set<string>();
  const once = (key: string, path: FieldPath, what: string) => {
    if (seen.has(key)) out.push(labErrors.duplicateSetupObject(at(path), what));
    seen.add(key);
  };
  lab.setup.namespaces.forEach((n, i) => {
    if (BASELINE.namespaces.some((b) => b.name === n.name)) out.push(labErrors.baselineObject(at(['setup', 'namespaces', i, 'name']), `namespace ${n.name}`));
    once(`ns/${n.name}`, ['setup', 'namespaces', i, 'name'], `namespace ${n.name}`);
  });
  lab.setup.pods.forEach((p, i) => {
    const path = ['setup', 'pods', i];
    if (!isSupportedImage(p.image)) out.push(labErrors.unsupportedImage(at([...path, 'image']), p.image, SUPPORTED_IMAGES.join(', ')));
    if (!declared.has(p.namespace)) out.push(labErrors.undeclaredNamespace(at([...path, 'namespace']), p.namespace));
    if (BASELINE.pods.some((b) => b.namespace === p.namespace && b.name === p.name)) out.push(labErrors.baselineObject(at([...path, 'name']), `pod ${p.namespace}/${p.name}`));
    once(`pod/${p.namespace}/${p.name}`, [...path, 'name'], `pod ${p.namespace}/${p.name}`);
  });
  lab.setup.services.forEach((s, i) => {
    const path = ['setup', 'services', i];
    if (!declared.has(s.namespace)) out.push(labErrors.undeclaredNamespace(at([...path, 'namespace']), s.namespace));
    if (BASELINE.services.some((b) => b.namespace === s.namespace && b.name === s.name)) out.push(labErrors.baselineObject(at([...path, 'name']), `Service ${s.namespace}/${s.name}`));
    once(`svc/${s.namespace}/${s.name}`, [...path, 'name'], `Service ${s.namespace}/${s.name}`);
  });
  if (out.length > 0) return out; // the world below would only repeat these

  lab.tasks.forEach((task, ti) => {
    const tpath = ['tasks', ti];
    const applied = task.checks.filter((c) => c.kind === 'applied').length;
    if (applied !== 1) out.push(labErrors.appliedCheckCount(at([...tpath, 'checks']), applied));
    let world: World;
    try {
      world = buildWorld(startLayers(bundle, ti));
    } catch (e) {
      out.push(e as FlatnetError);
      return;
    }
    task.checks.forEach((c, ci) => out.push(...lintCheck(c, world, (p) => at([...tpath, 'checks', ci, ...p]), lab.requires.networkPolicy)));
  });
  return out;
}

function lintCheck(c: Check, world: World, at: (p: FieldPath) => Where, enforced: boolean): FlatnetError[] {
  const out: FlatnetError[] = [];
  const pods = (e: Endpoint, field: string) => {
    if (e.ip === undefined && expand(world.cluster, e).length === 0) out.push(labErrors.noMatchingPod(at([field]), describeEndpoint(e)));
  };
  switch (c.kind) {
    case 'reach':
      pods(c.from, 'from');
      pods(c.to, 'to');
      if (c.from.ip !== undefined) out.push(errors.invalidField(at(['from', 'ip']), 'Forbidden: a reach check starts from a pod'));
      if (c.to.ip !== undefined && parseIP(c.to.ip) === null) out.push(errors.invalidField(at(['to', 'ip']), `Invalid value: "${c.to.ip}": must be a valid IP address`));
      if (c.to.ip !== undefined && c.expect === 'allowed') out.push(labErrors.needsNetwork(at(['to', 'ip']), `${c.to.ip} is outside the cluster and expected to be reachable`));
      if (c.expect === 'denied' && !enforced) out.push(labErrors.requiresNetworkPolicy(at(['expect'])));
      break;
    case 'dns':
      pods(c.from, 'from');
      if (!clusterLocal(c.name)) out.push(labErrors.needsNetwork(at(['name']), `${c.name} is not a cluster name`));
      if (c.expect === 'fails' && !enforced) out.push(labErrors.requiresNetworkPolicy(at(['expect'])));
      break;
    case 'http': {
      pods(c.from, 'from');
      let host = '';
      try {
        host = new URL(c.url).hostname.replace(/^\[|\]$/g, '');
      } catch {
        out.push(errors.invalidField(at(['url']), `Invalid value: "${c.url}": must be a URL`));
        break;
      }
      const ip = parseIP(host);
      const inside = ip ? world.cluster.podByIP.has(host) || world.services.some((s) => s.spec.clusterIP === host) : clusterLocal(host);
      if (!inside) out.push(labErrors.needsNetwork(at(['url']), `${host} is not a pod, Service or cluster name`));
      break;
    }
    case 'resource':
    case 'applied':
      break;
  }
  return out;
}

/** backend, backend.ns, backend.ns.svc, or anything under .cluster.local: answered by CoreDNS, not the Internet. */
function clusterLocal(name: string): boolean {
  const n = name.replace(/\.$/, '');
  const labels = n.split('.');
  return labels.length <= 2 || (labels.length === 3 && labels[2] === 'svc') || n.endsWith('.cluster.local');
}
