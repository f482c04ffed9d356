import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endpointChain, externalChain, isServiceChainName, serviceChain, servicePortName } from './chain-names.ts';

/*
 * Expected names are kube-proxy's own, from TestOverallIPTablesRules in
 * kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go, e.g.
 *
 *   -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
 *   -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
 *   -A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
 *   -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
 *   -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
 *   -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
 */
describe('service chain names match kube-proxy', () => {
  const cases: { spn: string; svc: string; ext: string }[] = [
    { spn: 'ns1/svc1:p80', svc: 'KUBE-SVC-XPGD46QRK7WJZT7O', ext: 'KUBE-EXT-XPGD46QRK7WJZT7O' },
    { spn: 'ns2/svc2:p80', svc: 'KUBE-SVC-GNZBNJ2PO5MGZ6GT', ext: 'KUBE-EXT-GNZBNJ2PO5MGZ6GT' },
    { spn: 'ns3/svc3:p80', svc: 'KUBE-SVC-X27LE4BHSL4DOUIK', ext: 'KUBE-EXT-X27LE4BHSL4DOUIK' },
    { spn: 'ns4/svc4:p80', svc: 'KUBE-SVC-4SW47YFZTEDKD3PK', ext: 'KUBE-EXT-4SW47YFZTEDKD3PK' },
    { spn: 'ns5/svc5:p80', svc: 'KUBE-SVC-NUKIZ6OKUXPJNT4C', ext: 'KUBE-EXT-NUKIZ6OKUXPJNT4C' },
  ];
  for (const c of cases) {
    it(c.spn, () => {
      // Upper-case protocol in, as the API spells it: kube-proxy lower-cases before hashing.
      assert.equal(serviceChain(c.spn, 'TCP'), c.svc);
      assert.equal(externalChain(c.spn, 'tcp'), c.ext);
    });
  }
  it('the protocol is part of the hash', () => {
    assert.notEqual(serviceChain('ns1/svc1:p80', 'udp'), serviceChain('ns1/svc1:p80', 'tcp'));
  });
});

describe('endpoint chain names match kube-proxy', () => {
  const cases: { spn: string; endpoint: string; want: string }[] = [
    { spn: 'ns1/svc1:p80', endpoint: '10.180.0.1:80', want: 'KUBE-SEP-SXIVWICOYRO3J4NJ' },
    { spn: 'ns2/svc2:p80', endpoint: '10.180.0.2:80', want: 'KUBE-SEP-RS4RBKLTHTF2IUXJ' },
    { spn: 'ns3/svc3:p80', endpoint: '10.180.0.3:80', want: 'KUBE-SEP-OYPFS5VJICHGATKP' },
    { spn: 'ns4/svc4:p80', endpoint: '10.180.0.4:80', want: 'KUBE-SEP-UKSFD7AGPMPPLUHC' },
    { spn: 'ns4/svc4:p80', endpoint: '10.180.0.5:80', want: 'KUBE-SEP-C6EBXVWJJZMIWKLZ' },
    // The same endpoint behind another service gets another chain.
    { spn: 'ns5/svc5:p80', endpoint: '10.180.0.3:80', want: 'KUBE-SEP-I77PXRDZVX7PMWMN' },
  ];
  for (const c of cases) {
    it(`${c.spn} -> ${c.endpoint}`, () => assert.equal(endpointChain(c.spn, 'TCP', c.endpoint), c.want));
  }
});

describe('servicePortName', () => {
  const cases: [string, string, string, string][] = [
    ['default', 'web', 'http', 'default/web:http'],
    ['default', 'web', '', 'default/web'], // fmtPortName: no colon for an unnamed port
  ];
  for (const [ns, name, port, want] of cases) it(want, () => assert.equal(servicePortName(ns, name, port), want));
});

describe('isServiceChainName', () => {
  const cases: [string, boolean][] = [
    ['KUBE-SVC-XPGD46QRK7WJZT7O', true],
    ['KUBE-SEP-SXIVWICOYRO3J4NJ', true],
    ['KUBE-EXT-X27LE4BHSL4DOUIK', true],
    ['KUBE-FW-NUKIZ6OKUXPJNT4C', true],
    ['KUBE-SVL-GNZBNJ2PO5MGZ6GT', true],
    ['KUBE-SERVICES', false],
    ['KUBE-MARK-MASQ', false],
    ['CNI-1234', false],
  ];
  for (const [chain, want] of cases) it(chain, () => assert.equal(isServiceChainName(chain), want));
});
