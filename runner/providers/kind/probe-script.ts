/**
 * @module
 * Live probes on kind, as the upstream netpol e2e tests make them: from inside the source
 * pod, `/agnhost connect HOST:PORT --timeout=1s --protocol=tcp|udp`, one attempt per flow,
 * whose stderr says TIMEOUT (dropped), REFUSED (got through, nothing listens) or worse. All
 * flows of one source pod run at once in one `kubectl exec` of the script below; UDP to port
 * 53 is a real DNS query (a DNS server ignores agnhost's "hostname" datagram), and a pod
 * without /agnhost falls back to `nc -z` (which cannot tell dropped from refused).
 */
import type { LiveFlow } from '../../../checkers/grade/index.ts';
import type { ProbeResult } from '../../../checkers/truth-table.ts';

/** One reply takes microseconds inside a node and well under a second across kind nodes. */
export const PROBE_TIMEOUT_S = 1;

/** Arguments after the script: ID PROTO HOST PORT per flow. Each prints `R ID METHOD EXIT OUTPUT` on one line. */
export const PROBE_SCRIPT = `
probe() {
  if [ "$2" = udp ] && [ "$4" = 53 ]; then
    out=$(timeout 3 nslookup kubernetes.default.svc.cluster.local "$3" 2>&1); rc=$?; m=dns
  elif [ -x /agnhost ]; then
    case "$3" in *:*) hp="[$3]:$4" ;; *) hp="$3:$4" ;; esac
    out=$(/agnhost connect "$hp" --timeout=${PROBE_TIMEOUT_S}s --protocol="$2" 2>&1); rc=$?; m=agnhost
  elif [ "$2" = tcp ]; then
    out=$(nc -z -w ${PROBE_TIMEOUT_S} "$3" "$4" 2>&1); rc=$?; m=nc
  else
    out="no /agnhost in this pod to probe UDP with"; rc=1; m=none
  fi
  echo "R $1 $m $rc $(echo "$out" | tr '\\n' ' ' | cut -c1-200)"
}
while [ $# -ge 4 ]; do probe "$1" "$2" "$3" "$4" & shift 4; done
wait
`;

export interface Planned { index: number; flow: LiveFlow; from: string; to: string; ip: string }

export function probeArgs(list: readonly Planned[]): string[] {
  return list.flatMap((p, k) => [String(k), p.flow.protocol.toLowerCase(), p.ip, String(p.flow.port)]);
}

/** The ProbeResult of each planned flow (in the list's order) from the script's output. */
export function parseProbeOutput(list: readonly Planned[], stdout: string, failure?: string): ProbeResult[] {
  const lines = new Map<number, { method: string; code: number; text: string }>();
  for (const m of stdout.matchAll(/^R (\d+) (\S+) (\d+) ?(.*)$/gm)) lines.set(Number(m[1]), { method: m[2]!, code: Number(m[3]), text: m[4]!.trim() });
  return list.map((p, k) => verdict(p, lines.get(k), failure));
}

function verdict(p: Planned, line: { method: string; code: number; text: string } | undefined, failure?: string): ProbeResult {
  const base = { from: p.from, to: p.to, port: p.flow.port, protocol: p.flow.protocol };
  const at = `${p.ip}:${p.flow.port}`;
  if (!line) return { ...base, allowed: null, reason: `the probe did not report back${failure ? `: ${failure}` : ''}` };
  const { method, code, text } = line;
  if (method === 'dns') {
    if (/timed out|no servers could be reached/i.test(text) || code === 124 || code === 143) return { ...base, allowed: false, reason: `no DNS answer from ${at} (dropped)` };
    if (code === 0 || /NXDOMAIN|SERVFAIL|REFUSED|Name:/i.test(text)) return { ...base, allowed: true, reason: `DNS server ${at} answered` };
    return { ...base, allowed: null, reason: `the DNS probe to ${at} failed in an unexpected way: ${text || `exit ${code}`}` };
  }
  if (method === 'nc') {
    return code === 0
      ? { ...base, allowed: true, reason: `connected to ${at}` }
      : { ...base, allowed: null, reason: `no connection to ${at}, but nc cannot tell dropped from refused: give ${p.from} the agnhost image to measure it` };
  }
  if (method === 'none') return { ...base, allowed: null, reason: text };
  const udp = p.flow.protocol === 'UDP';
  if (code === 0) return { ...base, allowed: true, reason: udp ? `UDP ${at} answered` : `connected to ${at}` };
  if (/^TIMEOUT/.test(text)) return { ...base, allowed: false, reason: udp ? `no UDP answer from ${at} within ${PROBE_TIMEOUT_S}s (dropped)` : `TCP connect to ${at} timed out (dropped)` };
  if (/^REFUSED/.test(text)) return { ...base, allowed: true, reason: udp ? `UDP ${at} reached, but nothing listens (port unreachable)` : `connection refused by ${at}: the packet got through, nothing listens` };
  return { ...base, allowed: null, reason: `the probe to ${at} failed in an unexpected way: ${text || `exit ${code}`}` };
}
