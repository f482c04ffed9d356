/**
 * @module
 * kube-proxy's chain names, computed the way pkg/proxy/iptables/proxier.go does so a learner
 * who reads `iptables-save` here sees the same KUBE-SVC-XPGD46QRK7WJZT7O as on a real node:
 *
 *     func portProtoHash(servicePortName string, protocol string) string {
 *         hash := sha256.Sum256([]byte(servicePortName + protocol))
 *         encoded := base32.StdEncoding.EncodeToString(hash[:])
 *         return encoded[:16]
 *     }
 *
 * The hash is truncated because iptables chain names must be at most 28 characters.
 */
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The first `chars` characters of Go's base32.StdEncoding of sha256(text) (a multiple of 8:
 * whole 5-byte groups). iptables mode keeps 16, nftables mode 8 (its hashAndTruncate).
 */
export function sha256Base32(text: string, chars: 8 | 16): string {
  const bytes = createHash('sha256').update(text, 'utf8').digest().subarray(0, (chars / 8) * 5);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let shift = BigInt(chars * 5 - 5); shift >= 0n; shift -= 5n) out += BASE32[Number((bits >> shift) & 31n)];
  return out;
}

const hash16 = (text: string) => sha256Base32(text, 16);

/** proxy.ServicePortName.String(): `ns/name:port`, or `ns/name` when the port is unnamed. */
export function servicePortName(namespace: string, name: string, port: string): string {
  return `${namespace}/${name}${port === '' ? '' : `:${port}`}`;
}

/** kube-proxy hashes the lower-cased protocol (`strings.ToLower(string(svcPort.Protocol()))`). */
const proto = (protocol: string) => protocol.toLowerCase();

/** KUBE-SVC-*: dispatches to the endpoints (the `Cluster` traffic policy chain). */
export function serviceChain(spn: string, protocol: string): string {
  return `KUBE-SVC-${hash16(spn + proto(protocol))}`;
}

/** KUBE-EXT-*: where NodePort (and external IP / load-balancer) traffic enters a service. */
export function externalChain(spn: string, protocol: string): string {
  return `KUBE-EXT-${hash16(spn + proto(protocol))}`;
}

/** KUBE-SEP-*: one per endpoint; DNATs to `ip:port` (net.JoinHostPort). */
export function endpointChain(spn: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(spn + proto(protocol) + endpoint)}`;
}

/**
 * Prefixes of the per-service chains kube-proxy owns (isServiceChainName); chains with these
 * names that the current rules no longer use are deleted. SVL and FW are never written here
 * (no Local traffic policy, no loadBalancerSourceRanges) but are still ours to clean up.
 */
export const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-SEP-', 'KUBE-FW-', 'KUBE-EXT-'] as const;

export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}
