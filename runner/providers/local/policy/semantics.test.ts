import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticWorld } from '../../../../bench/world.ts';
import { buildCluster, evaluate, ip, pod as at, type Cluster, type Endpoint, type Protocol } from '../../../../checkers/engine/index.ts';
import { np, ns, pod } from '../../../../checkers/engine/testdata/objects.ts';
import { formatIP } from '../../../../checkers/net/ip.ts';
import { reach } from '../../../../checkers/reach.ts';
import { compareTables, TruthTable, type Cell } from '../../../../checkers/truth-table.ts';
import { cases as upstream } from '../../../../test/netpol-upstream/cases.ts';
import { buildModel } from '../../../../test/netpol-upstream/model.ts';
import { policyRules } from './iptables.ts';
import { forward, parseRules, type Chains, type Packet } from './testdata/simulate.ts';

/**
 * The generated rules decide every flow as the engine does. Each flow of the engine's truth
 * table is walked through the rules by testdata/simulate.ts (an interpreter of exactly the
 * lines we emit); kernel.test.ts does the same with real packets on a subset.
 */
function simulated(cluster: Cluster, expected: TruthTable): TruthTable {
  const rules = policyRules(cluster);
  const chains = { 4: parseRules(rules.v4), 6: parseRules(rules.v6) };
  const cells: Cell[] = [];
  for (const e of expected.cells()) {
    const to = cluster.podByKey.get(e.to)!;
    const from = cluster.podByKey.get(e.from)!;
    const dst = to.ips[0]!;
    const src = from.ips.find((i) => i.family === dst.family)!;
    const verdict = forward(chains[dst.family], packet(formatIP(src), formatIP(dst), e.protocol, e.port));
    cells.push({ ...e, allowed: verdict === 'allowed' });
  }
  return TruthTable.fromResults(cells);
}

const packet = (src: string, dst: string, protocol: Protocol, port: number): Packet => ({ src, dst, protocol: protocol.toLowerCase() as Packet['protocol'], dport: port });

function agree(cluster: Cluster): { correct: number; wrong: Cell[] } {
  const expected = reach(cluster, {});
  const { correct, wrong, missing } = compareTables(expected, simulated(cluster, expected));
  assert.equal(missing.length, 0);
  return { correct, wrong };
}

describe('the rules decide like the engine', () => {
  it(`all ${upstream.length} states of the upstream netpol e2e cases, every pod pair and port`, (t) => {
    let total = 0;
    const failures: string[] = [];
    for (const c of upstream) {
      const { cluster } = buildCluster([...buildModel(c), ...c.policies]);
      const { correct, wrong } = agree(cluster);
      total += correct;
      for (const w of wrong) failures.push(`${c.name}: ${w.from} -> ${w.to} ${w.protocol}/${w.port}: rules say ${w.allowed ? 'allowed' : 'denied'}`);
    }
    assert.deepEqual(failures, []);
    assert.ok(total > 500, `only ${total} flows`);
    t.diagnostic(`${total} flows agree`);
  });

  it('a synthetic cluster mixing every peer and port kind (120 pods, 40 policies)', (t) => {
    const { cluster } = buildCluster(syntheticWorld(120, 10, 40));
    const { correct, wrong } = agree(cluster);
    assert.deepEqual(wrong.slice(0, 5), []);
    assert.ok(correct > 10_000, `only ${correct} flows`);
    t.diagnostic(`${correct} flows agree`);
  });

  it('dual-stack and IPv6-first pods, IPv6 ipBlocks with except', () => {
    const { cluster } = buildCluster([
      ns('x', { team: 'red' }),
      ns('y', { team: 'blue' }),
      pod('x', 'a', { app: 'a' }, [{ containerPort: 80, name: 'http' }], ['fd00::1:1', '10.0.1.1']),
      pod('x', 'b', { app: 'b' }, [{ containerPort: 81, name: 'http' }], ['fd00::1:2', '10.0.1.2']),
      pod('y', 'c', { app: 'c' }, [{ containerPort: 80, name: 'http' }, { containerPort: 53, protocol: 'UDP' }], ['fd00::2:1', '10.0.2.1']),
      pod('y', 'd', { app: 'd' }, [{ containerPort: 80 }], ['fd00::2:2', '10.0.2.2']),
      np('x', 'in', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/64', except: ['fd00::2:2/128'] } }], ports: [{ port: 'http' }] }] }),
      np('y', 'out', { podSelector: { matchLabels: { app: 'c' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'red' } } }], ports: [{ port: 'http' }] }] }),
      np('y', 'in', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }, { from: [{ podSelector: {} }], ports: [{ protocol: 'UDP' }] }] }),
    ]);
    const { correct, wrong } = agree(cluster);
    assert.deepEqual(wrong, []);
    assert.ok(correct >= 12);
  });

  it('flows to and from addresses outside the cluster (ipBlocks, named ports, any peer)', () => {
    const { cluster } = buildCluster([
      ns('x'),
      pod('x', 'a', { app: 'a' }, [{ containerPort: 80, name: 'http' }], ['10.0.1.1']),
      pod('x', 'b', { app: 'b' }, [{ containerPort: 80 }], ['10.0.1.2']),
      np('x', 'out', {
        podSelector: { matchLabels: { app: 'a' } },
        egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }] }, { ports: [{ port: 'http' }] }, { ports: [{ port: 53, protocol: 'UDP' }] }],
      }),
      np('x', 'in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: '172.16.0.0/12', except: ['172.16.5.0/24'] } }] }] }),
    ]);
    const chains: Chains = parseRules(policyRules(cluster).v4);
    const outside = ['192.168.0.9', '192.168.1.9', '172.16.0.9', '172.16.5.9', '8.8.8.8'];
    const ports: [Protocol, number][] = [['TCP', 80], ['UDP', 53], ['TCP', 443]];
    let checked = 0;
    for (const addr of outside) {
      for (const p of cluster.pods) {
        for (const [protocol, port] of ports) {
          const podIP = formatIP(p.ips[0]!);
          for (const [from, to, src, dst] of [
            [at(p.namespace, p.name), ip(addr), podIP, addr],
            [ip(addr), at(p.namespace, p.name), addr, podIP],
          ] as [Endpoint, Endpoint, string, string][]) {
            const want = evaluate(cluster, { from, to, port, protocol }).allowed;
            const got = forward(chains, packet(src, dst, protocol, port)) === 'allowed';
            assert.equal(got, want, `${src} -> ${dst} ${protocol}/${port}`);
            checked++;
          }
        }
      }
    }
    assert.equal(checked, 60);
  });

  it('replies (ESTABLISHED) always pass; ICMP follows "all ports" rules only', () => {
    const { cluster } = buildCluster([
      ns('x'),
      pod('x', 'a', {}, [{ containerPort: 80 }], ['10.0.1.1']),
      pod('x', 'b', { app: 'b' }, [{ containerPort: 80 }], ['10.0.1.2']),
      np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      np('x', 'ping-b', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{}] }),
    ]);
    const chains = parseRules(policyRules(cluster).v4);
    assert.equal(forward(chains, { src: '10.0.1.2', dst: '10.0.1.1', protocol: 'tcp', dport: 80, ctstate: 'ESTABLISHED' }), 'allowed');
    assert.equal(forward(chains, { src: '10.0.1.2', dst: '10.0.1.1', protocol: 'tcp', dport: 80 }), 'dropped');
    assert.equal(forward(chains, { src: '10.9.9.9', dst: '10.0.1.2', protocol: 'icmp' }), 'allowed');
    assert.equal(forward(chains, { src: '10.9.9.9', dst: '10.0.1.1', protocol: 'icmp' }), 'dropped');
  });
});
