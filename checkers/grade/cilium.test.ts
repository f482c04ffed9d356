import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { formatIP } from '../net/ip.ts';
import { parseLab } from '../lab/parse.ts';
import type { LabBundle } from '../lab/sources.ts';
import { MINI_LAB } from '../lab/testdata/mini.ts';
import { ciliumView } from './cilium.ts';
import { startLayers } from './grade.ts';
import { validateLab } from './validate.ts';
import { buildWorld } from './world.ts';

const policy = (peer: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress: [{ from: [${peer}], ports: [{ port: 5432 }] }]
`;

describe('ipBlock as Cilium reads it', () => {
  it('excepts the pods from every ipBlock that covers them, and leaves other peers alone', () => {
    const wide = ciliumView(policy('{ ipBlock: { cidr: 10.244.0.0/16, except: [10.244.9.0/24] } }, { podSelector: {} }'), ['10.244.0.5', '10.244.9.7', '192.168.1.1']);
    assert.equal(wide.changed, true);
    assert.deepEqual((parse(wide.text) as { spec: { ingress: { from: unknown[] }[] } }).spec.ingress[0]!.from, [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.9.0/24', '10.244.0.5/32'] } }, { podSelector: {} }]);
    const one = ciliumView(policy('{ ipBlock: { cidr: 10.244.0.5/32 } }'), ['10.244.0.5']);
    assert.deepEqual((parse(one.text) as { spec: { ingress: { from: unknown[] }[] } }).spec.ingress[0]!.from, [{ ipBlock: { cidr: '0.0.0.0/32' } }], 'a peer that matched only a pod matches nothing (an empty list would allow all)');
    const outside = policy('{ ipBlock: { cidr: 172.16.0.0/12 } }');
    assert.deepEqual(ciliumView(outside, ['10.244.0.5']), { text: outside, changed: false });
  });

  it('flatnet lab validate flags a lab that allows Cilium whose reference needs ipBlock to match a pod', () => {
    const base: LabBundle = { ...parseLab(MINI_LAB, 'labs/mini/lab.yaml'), files: new Map() };
    const web = buildWorld(startLayers(base, 0)).cluster.podByKey.get('shop/web')!.ips[0]!;
    const reference = `${policy(`{ ipBlock: { cidr: ${formatIP(web)}/32 } }`).trimEnd().replace(/^/gm, '        ')}\n`;
    const lab = (cni: string) => MINI_LAB.replace('requires: { networkPolicy: true }', `requires: { networkPolicy: true, cni: ${cni} }`).replace(/ {4}reference:\n {6}inline: \|\n(?: {8}.*\n)+/, `    reference:\n      inline: |\n${reference}`);
    const problems = (cni: string) => validateLab([{ ...parseLab(lab(cni), 'labs/mini/lab.yaml'), files: new Map() }]).problems;
    const any = problems('any');
    assert.deepEqual(any.map((p) => p.code), ['CiliumIpBlock']);
    assert.match(any[0]!.message, /task db-policy: the reference passes only because an ipBlock matches pod traffic.*fails check web-to-db there/);
    assert.match(any[0]!.fix ?? '', /podSelector\/namespaceSelector instead of ipBlock, or set requires.cni: calico/);
    assert.equal(any[0]!.where.line, lab('any').split('\n').findIndex((l) => l === '    reference:') + 2, 'the line of the reference');
    assert.deepEqual(problems('cilium').map((p) => p.code), ['CiliumIpBlock']);
    assert.deepEqual(problems('calico'), []);
    assert.deepEqual(validateLab([base]).problems, [], 'a reference with podSelector is fine everywhere');
  });
});
