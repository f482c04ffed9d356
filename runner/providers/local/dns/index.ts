/**
 * @module
 * The `local` cluster's DNS server: a Node process in the coredns pod that answers the
 * way CoreDNS's kubernetes plugin does with kind's and kubeadm's Corefile, from a
 * records snapshot the cluster daemon writes (docs/0001-local-cluster.md).
 *
 * - records.ts, records-file.ts: the snapshot and how the pod keeps up with it.
 * - answer.ts: one query in, one reply out, pure. It asks lookup.ts (with parse-name.ts
 *   and ip.ts) what a name stands for, and rrsets.ts and soa.ts turn that into records.
 * - respond.ts, wire.ts, shuffle.ts, header.ts: bytes in and out, truncation, ordering.
 * - server.ts, main.ts: the sockets and the process.
 *
 * Where it differs from CoreDNS, and why:
 * - No `forward`: the cluster has no internet. Names outside the cluster domain and the
 *   reverse zones get NXDOMAIN at once; reverse names with no record and ExternalName
 *   targets outside get what an upstream with no answer would give (NXDOMAIN + SOA; the
 *   CNAME alone).
 * - TTL 5 s (the plugin's default) where kind says `ttl 30`, and no `cache`: learners
 *   change Services and look again at once.
 * - A namespace exists when a Service or Pod is in it; the snapshot lists no Namespaces.
 * - NS answers name kube-system/kube-dns; CoreDNS finds its Service by its own pod IP.
 * - The SOA serial is a hash of the snapshot, not the time of the last change.
 * - EDNS0 options (NSID, cookies) are not echoed; the OPT carries size and DO only.
 * - Pod `hostname`/`subdomain` and endpoint `podName` are not names by themselves, as in
 *   CoreDNS without `endpoint_pod_names`: the EndpointSlice `hostname` is what counts.
 */
export { answer } from './answer.ts';
export { emptyRecords, parseRecords, type DnsRecords } from './records.ts';
export { watchRecordsFile, type RecordsFile } from './records-file.ts';
export { startDnsServer, type DnsServer } from './server.ts';
