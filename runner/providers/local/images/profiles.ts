/**
 * @module
 * What each image the `local` cluster can run (the list: checkers/lab/images.ts) amounts to.
 * There is no registry: an image maps to a profile — a small root filesystem built from
 * Debian binaries, plus what the container does when the pod gives no command (the image's
 * ENTRYPOINT/CMD).
 */
import { imageProfile, SUPPORTED_IMAGES, type ImageProfile } from '../../../../checkers/lab/images.ts';

export type ProfileName = ImageProfile;
export const ROOTFS_NAMES = ['web', 'tools', 'server', 'dns'] as const;
export type RootfsName = (typeof ROOTFS_NAMES)[number];

export interface Profile {
  name: ProfileName;
  rootfs: RootfsName;
  /** The image's ENTRYPOINT + CMD, as Kubernetes combines them with the pod's command/args. */
  entrypoint: string[];
  cmd: string[];
}

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
  // The ingress controller (runner/providers/local/ingress/main.ts), on the same Node.js root filesystem.
  ingress: { name: 'ingress', rootfs: 'dns', entrypoint: ['flatnet-ingress'], cmd: [] },
};

export function profileFor(image: string): Profile | undefined {
  const profile = imageProfile(image);
  return profile ? PROFILES[profile] : undefined;
}

export { SUPPORTED_IMAGES };

/** Kubernetes: command replaces ENTRYPOINT, args replaces CMD; args alone keep ENTRYPOINT. */
export function containerArgv(p: Profile, command: string[] | undefined, args: string[] | undefined): string[] {
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  return [...p.entrypoint, ...(args && args.length > 0 ? args : p.cmd)];
}
