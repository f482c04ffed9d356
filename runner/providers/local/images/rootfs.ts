/**
 * @module
 * Root filesystems for pods, built from this host's Debian binaries: busybox-static (sh,
 * wget, nslookup, nc, httpd), curl and socat with the shared libraries `ldd` names.
 * Built once per machine into a cache folder and shared read-only by every pod (each pod
 * writes to its own overlay). A pod never sees the host filesystem.
 */
import { copyFileSync, chmodSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cacheRoot } from '../config.ts';
import { ensureNative } from '../native/build.ts';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { RootfsName } from './profiles.ts';
import { NGINX_INDEX } from './nginx-index.ts';

/** Bump when what goes into a root filesystem changes, so caches rebuild. */
const LAYOUT_VERSION = 14;

const BINARIES: Record<RootfsName, string[]> = {
  web: ['/bin/busybox', '/usr/bin/curl', '/usr/bin/socat'],
  tools: ['/bin/busybox', '/usr/bin/curl', '/usr/bin/socat'],
  server: ['/bin/busybox', '/usr/bin/curl', '/usr/bin/socat'],
  dns: ['/bin/busybox'],
};

/**
 * The DNS pod runs the node's Node.js on the project's DNS server; both are bind-mounted by the
 * container init. Its bundle (runner/build/bundle.ts) starts in half the time of the sources.
 */
const DNS = `#!/bin/sh
# The coredns image's own arguments (-conf Corefile) do not apply to this server.
# The kubelet names the server's bundle when it has an up-to-date one.
exec /flatnet/node "\${FLATNET_DNS_MAIN:-/flatnet/app/runner/providers/local/dns/main.ts}" --records /flatnet/records/records.json --port 53
`;

/** The ingress controller's pods run the same way, on the table file the daemon writes. */
const INGRESS = `#!/bin/sh
exec /flatnet/node "\${FLATNET_INGRESS_MAIN:-/flatnet/app/runner/providers/local/ingress/main.ts}" --table /flatnet/ingress/table.json
`;

const WGET = `#!/bin/sh
# flatnet: busybox wget with -T done here (Debian's static busybox crashes on -T).
# (busybox sh runs its own applet for a bare \`wget\`; this serves exec'd commands.)
t=
n=$#
while [ "$n" -gt 0 ]; do
  a=$1; shift; n=$((n - 1))
  case $a in
    -T) t=$1; shift; n=$((n - 1)) ;;
    -T*) t=\${a#-T} ;;
    *) set -- "$@" "$a" ;;
  esac
done
[ -z "$t" ] && exec busybox wget "$@"
# SIGINT, not TERM: a shell reports a job killed by TERM ("Terminated"), not one interrupted.
busybox timeout -s INT "$t" busybox wget "$@"
rc=$?
[ "$rc" -eq 130 ] && { echo 'wget: download timed out' >&2; exit 1; }
exit "$rc"
`;

/** Root filesystems already checked by this process: a pod start should not touch the disk for it. */
const ready = new Map<string, string>(); // by cache folder and name

/** Returns the path of the (cached) root filesystem. Safe against concurrent builders: build in a temp dir, rename into place. */
export function ensureRootfs(name: RootfsName, root = cacheRoot('rootfs')): string {
  const known = ready.get(`${root}\0${name}`);
  if (known) return known;
  const agnhost = ensureNative('agnhost', join(dirname(root), 'native')); // the native cache beside this one
  const sh = ensureNative('busybox-sh', join(dirname(root), 'native'));
  // The builds' names carry their source hashes: a new agnhost or sh means new root filesystems.
  const final = join(root, `${name}-v${LAYOUT_VERSION}-${agnhost.split('-').at(-1)}-${sh.split('-').at(-1)}`);
  if (existsSync(join(final, '.complete'))) {
    ready.set(`${root}\0${name}`, final);
    return final;
  }
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  build(name, tmp, agnhost, sh);
  writeFileSync(join(tmp, '.complete'), '');
  try {
    renameSync(tmp, final);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process won the race
  }
  ready.set(`${root}\0${name}`, final);
  return final;
}

function build(name: RootfsName, dir: string, agnhost: string, sh: string): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'var/log', 'run', 'flatnet']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  for (const bin of BINARIES[name]) copyWithLibraries(bin, dir);
  // Alpine-style: every busybox applet is a symlink in /bin, so `sh`, `nslookup`, `wget` just work.
  const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) {
    const link = join(dir, 'bin', a);
    if (!existsSync(link) && !existsSync(join(dir, 'usr/bin', a))) symlinkSync('busybox', link);
  }
  // Debian's static busybox (1.35) crashes on `wget -T N` (SIGSEGV, before any packet): the
  // wrapper applies the timeout itself and says what wget says when it runs out.
  rmSync(join(dir, 'bin', 'wget'), { force: true });
  script(join(dir, 'bin', 'wget'), WGET);
  // ...and ash would still run its own crashing applet for a bare `wget`: sh defines it as a
  // function calling the wrapper (native/busybox-sh.c), interactive shells through $ENV.
  rmSync(join(dir, 'bin', 'sh'), { force: true });
  copyFileSync(sh, join(dir, 'bin', 'sh'));
  chmodSync(join(dir, 'bin', 'sh'), 0o755);
  writeFileSync(join(dir, 'etc/flatnet-shrc'), 'wget() { /bin/wget "$@"; }\nunset ENV\n');
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(dir, 'etc/nsswitch.conf'), 'hosts: files dns\n');
  for (const f of ['resolv.conf', 'hosts', 'hostname']) writeFileSync(join(dir, 'etc', f), ''); // bind-mount targets
  if (name === 'web') {
    mkdirSync(join(dir, 'usr/share/nginx/html'), { recursive: true });
    writeFileSync(join(dir, 'usr/share/nginx/html/index.html'), NGINX_INDEX);
  }
  // Every image that can be a probe's source or a server gets flatnet's agnhost.
  if (name !== 'dns') {
    copyFileSync(agnhost, join(dir, 'agnhost'));
    chmodSync(join(dir, 'agnhost'), 0o755);
    symlinkSync('../../../agnhost', join(dir, 'usr/local/bin/agnhost'));
  }
  if (name === 'dns') {
    // The node's Node.js binary is bind-mounted at /flatnet/node; its libraries must be here.
    copyWithLibraries(process.execPath, dir, false);
    script(join(dir, 'usr/local/bin/flatnet-dns'), DNS);
    script(join(dir, 'usr/local/bin/flatnet-ingress'), INGRESS);
    for (const d of ['flatnet/app', 'flatnet/records', 'flatnet/ingress']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'flatnet/node'), '');
  }
}

function script(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

/** Copies a binary and every library `ldd` lists, at the same paths (so the dynamic loader finds them). */
function copyWithLibraries(bin: string, dir: string, includeBinary = true): void {
  const files = new Set(includeBinary ? [bin] : []);
  let ldd = '';
  try {
    ldd = execFileSync('ldd', [bin], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    // static binaries make ldd exit non-zero: nothing more to copy
  }
  for (const m of ldd.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) files.add(m[1]!);
  for (const f of files) {
    const to = join(dir, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
    chmodSync(to, 0o755);
  }
}
