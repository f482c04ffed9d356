/**
 * @module
 * `flatnet doctor [--install]`: check this host, and install what is missing (root, apt).
 */
import { parseArgs } from 'node:util';
import { FlatnetError } from '../../../checkers/errors.ts';
import { diagnose, install } from '../../doctor.ts';
import { KIND_REQUIREMENTS } from '../../providers/kind/doctor.ts';
import type { Command, IO } from '../command.ts';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check this host for what flatnet needs; --install adds missing Debian packages',
  usage: `flatnet doctor [--install] [--with-optional]
flatnet doctor --provider kind

Checks the tools the local cluster uses (iproute2, util-linux, iptables, CNI plugins,
busybox-static, curl, socat) and the optional ones. With --install, as root, installs the
missing Debian packages with apt-get (--with-optional: the optional ones too).

--provider kind checks what kind clusters with Calico or Cilium need instead: a Docker engine,
kind, kubectl, helm (Cilium) and the inotify limits. It only reports: these are yours to set up.`,
  run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { install: { type: 'boolean', default: false }, 'with-optional': { type: 'boolean', default: false }, provider: { type: 'string', default: 'local' } } });
    if (values.provider === 'kind') return kindDoctor(io);
    if (values.provider !== 'local') throw new FlatnetError('UnknownProvider', `--provider ${values.provider}: expected local or kind`, {}, 'use --provider local or --provider kind');
    let report = diagnose();
    if (values.install) {
      const pkgs = report.results.filter((r) => !r.ok && r.req.pkg && (!r.req.optional || values['with-optional'])).map((r) => r.req.pkg!);
      if (pkgs.length > 0) {
        if (process.getuid?.() !== 0) {
          io.err(`flatnet: installing packages needs root — run: sudo apt-get install ${[...new Set(pkgs)].join(' ')}`);
          return 2;
        }
        io.err(`Installing: ${[...new Set(pkgs)].join(' ')}`);
        const code = install([...new Set(pkgs)]);
        if (code !== 0) {
          io.err(`flatnet: apt-get failed (${code}) — see its output above`);
          return 2;
        }
        report = diagnose();
      }
    }
    for (const { req, ok } of report.results) {
      const mark = ok ? '✓' : req.optional ? '-' : '✗';
      io.out(`${mark} ${req.name.padEnd(20)} ${req.why}${ok ? '' : req.pkg ? `  (apt-get install ${req.pkg})` : ''}`);
    }
    const missing = report.results.filter((r) => !r.ok && !r.req.optional);
    if (missing.length === 0) {
      io.out('\nThis host can run local clusters.');
      return 0;
    }
    io.out(`\nMissing: ${missing.map((m) => m.req.name).join(', ')} — run \`npx flatnet doctor --install\` as root, or install: ${report.missingPackages.join(' ')}`);
    return 1;
  },
};

function kindDoctor(io: IO): number {
  const results = KIND_REQUIREMENTS.map((req) => ({ req, ok: req.check() }));
  for (const { req, ok } of results) io.out(`${ok ? '✓' : req.optional ? '-' : '✗'} ${req.name.padEnd(28)} ${req.why}`);
  const missing = results.filter((r) => !r.ok && !r.req.optional);
  if (missing.length === 0) {
    io.out('\nThis host can run kind clusters with Calico or Cilium.');
    return 0;
  }
  io.out(`\nMissing for the kind provider: ${missing.map((m) => m.req.name).join(', ')} — flatnet installs none of these (they need your Docker); the local provider needs none of them.`);
  return 1;
}
