/**
 * @module
 * `flatnet reach`: the engine's connectivity matrix for a set of manifests.
 */
import { parseArgs } from 'node:util';
import { buildCluster, type Endpoint, type Protocol } from '../../../checkers/engine/index.ts';
import { errors, formatWarning } from '../../../checkers/errors.ts';
import { reach, reachResults, type ReachQuery } from '../../../checkers/reach.ts';
import { renderMatrix, TruthTable } from '../../../checkers/truth-table.ts';
import { reachLive } from '../../providers/local/live-reach.ts';
import { readInputs } from '../inputs.ts';
import type { Command } from '../command.ts';

export const reachCommand: Command = {
  name: 'reach',
  summary: 'Which flows do the NetworkPolicies allow, and why',
  usage: `flatnet reach -f FILE_OR_DIR [-f ...] [--from NS/POD] [--to NS/POD|IP] [--port P] [--protocol TCP|UDP|SCTP] [-o table|json]

Evaluates NetworkPolicies (networking.k8s.io/v1) over the Namespaces, Pods and Services in the
given manifests, without a cluster. Without filters every ordered pair of distinct pods is probed
on every port the destination pod declares.

  -f, --filename   manifest file, directory, or - for stdin (repeatable)
      --from       source pod as NS/POD
      --to         destination pod as NS/POD, or an IP address
      --port       port number or container port name
      --protocol   TCP, UDP or SCTP
      --live       measure with real packets in a throw-away local cluster
  -o, --output     table (default) or json`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        filename: { type: 'string', short: 'f', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        port: { type: 'string' },
        protocol: { type: 'string' },
        output: { type: 'string', short: 'o', default: 'table' },
        live: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const output = values.output;
    if (output !== 'table' && output !== 'json') throw new OutputError(output);
    const manifests = readInputs(values.filename ?? []);
    const { cluster, warnings } = buildCluster(manifests);
    for (const w of warnings) io.err(formatWarning(w));
    const query: ReachQuery = {
      from: values.from === undefined ? undefined : endpoint('--from', values.from, false),
      to: values.to === undefined ? undefined : endpoint('--to', values.to, true),
      port: values.port === undefined ? undefined : port(values.port),
      protocol: values.protocol === undefined ? undefined : protocol(values.protocol),
    };
    if (values.live) {
      const results = await reachLive(manifests, query, { stage: (s) => io.err(` • ${s}`) });
      io.out(output === 'json' ? JSON.stringify({ results }, null, 2) : renderMatrix(TruthTable.fromResults(results)));
      return 0;
    }
    io.out(output === 'json' ? JSON.stringify({ results: reachResults(cluster, query) }, null, 2) : renderMatrix(reach(cluster, query)));
    return 0;
  },
};

class OutputError extends Error {
  constructor(value: string | undefined) {
    super(`-o ${value}: expected table or json`);
  }
}

function endpoint(flag: string, value: string, ipAllowed: boolean): Endpoint {
  const slash = value.indexOf('/');
  if (slash > 0 && slash === value.lastIndexOf('/') && slash < value.length - 1 && !value.includes(':')) {
    return { kind: 'pod', namespace: value.slice(0, slash), name: value.slice(slash + 1) };
  }
  if (ipAllowed && /^[0-9a-fA-F.:]+$/.test(value)) return { kind: 'ip', ip: value };
  throw errors.badEndpoint(flag, value);
}

function port(value: string): number | string {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n >= 1 && n <= 65535) return n;
    throw errors.badPort(value);
  }
  if (/^[a-z0-9-]{1,15}$/.test(value) && /[a-z]/.test(value)) return value;
  throw errors.badPort(value);
}

function protocol(value: string): Protocol {
  const up = value.toUpperCase();
  if (up === 'TCP' || up === 'UDP' || up === 'SCTP') return up;
  throw errors.badProtocol(value);
}
