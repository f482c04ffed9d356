/**
 * @module
 * The images the `local` cluster can run. There is no registry: each image reference maps
 * to a profile — a small root filesystem built from Debian binaries, plus what the
 * container does when the pod gives no command (the image's ENTRYPOINT/CMD).
 */

export type ProfileName = 'nginx' | 'tools' | 'postgres' | 'agnhost' | 'coredns';
export type RootfsName = 'web' | 'tools' | 'server' | 'dns';

export interface Profile {
  name: ProfileName;
  rootfs: RootfsName;
  /** The image's ENTRYPOINT + CMD, as Kubernetes combines them with the pod's command/args. */
  entrypoint: string[];
  cmd: string[];
}

export interface ImageRule {
  /** Matches the image reference (registry/name:tag). */
  pattern: RegExp;
  /** How it is written in messages and docs. */
  shown: string;
  profile: ProfileName;
}

/** Order matters: the first rule that matches wins. */
export const IMAGES: ImageRule[] = [
  { pattern: /^(docker\.io\/)?(library\/)?nginx(:[\w.-]+)?$/, shown: 'nginx:*', profile: 'nginx' },
  { pattern: /^(docker\.io\/)?(library\/)?busybox(:[\w.-]+)?$/, shown: 'busybox:*', profile: 'tools' },
  { pattern: /^(docker\.io\/)?radial\/busyboxplus(:[\w.-]+)?$/, shown: 'radial/busyboxplus:curl', profile: 'tools' },
  { pattern: /^(docker\.io\/)?curlimages\/curl(:[\w.-]+)?$/, shown: 'curlimages/curl:*', profile: 'tools' },
  { pattern: /^(docker\.io\/)?(library\/)?alpine(:[\w.-]+)?$/, shown: 'alpine:*', profile: 'tools' },
  { pattern: /^(docker\.io\/)?(library\/)?postgres(:[\w.-]+)?$/, shown: 'postgres:*', profile: 'postgres' },
  { pattern: /^registry\.k8s\.io\/e2e-test-images\/agnhost(:[\w.-]+)?$/, shown: 'registry.k8s.io/e2e-test-images/agnhost:*', profile: 'agnhost' },
  { pattern: /^registry\.k8s\.io\/coredns\/coredns(:[\w.-]+)?$/, shown: 'registry.k8s.io/coredns/coredns:*', profile: 'coredns' },
];

export const PROFILES: Record<ProfileName, Profile> = {
  // busybox httpd serves the nginx welcome page on port 80.
  nginx: { name: 'nginx', rootfs: 'web', entrypoint: [], cmd: ['httpd', '-f', '-p', '80', '-h', '/usr/share/nginx/html'] },
  // sh with curl, wget, nslookup, nc; the default command is a shell, which exits at once (as in Kubernetes).
  tools: { name: 'tools', rootfs: 'tools', entrypoint: [], cmd: ['sh'] },
  // Listens on 5432 (and any other declared port) — enough for reachability, not SQL.
  postgres: { name: 'postgres', rootfs: 'server', entrypoint: ['/agnhost', 'serve', '5432/TCP'], cmd: [] },
  // Like upstream's test pods (agnhost.c): every declared containerPort, TCP and UDP, answers with the pod's hostname.
  agnhost: { name: 'agnhost', rootfs: 'server', entrypoint: ['/agnhost', 'serve'], cmd: [] },
  // The cluster DNS server (runner/providers/local/dns/main.ts).
  coredns: { name: 'coredns', rootfs: 'dns', entrypoint: ['flatnet-dns'], cmd: [] },
};

export function profileFor(image: string): Profile | undefined {
  const rule = IMAGES.find((r) => r.pattern.test(image));
  return rule ? PROFILES[rule.profile] : undefined;
}

export const SUPPORTED_IMAGES = IMAGES.map((r) => r.shown);

/** Kubernetes: command replaces ENTRYPOINT, args replaces CMD; args alone keep ENTRYPOINT. */
export function containerArgv(p: Profile, command: string[] | undefined, args: string[] | undefined): string[] {
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  return [...p.entrypoint, ...(args && args.length > 0 ? args : p.cmd)];
}
