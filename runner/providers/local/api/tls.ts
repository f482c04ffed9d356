/**
 * @module
 * The cluster's own certificate authority and API-server certificate, made with openssl once
 * per cluster (kubeadm does the same with its own code), plus the bearer token kubectl sends.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlatnetError } from '../../../../checkers/errors.ts';

const execFileAsync = promisify(execFile);

export interface Credentials {
  caCert: string;
  cert: string;
  key: string;
  token: string;
}

/** Async, so the daemon makes them while the node starts (openssl takes tens of ms per step). */
export async function ensureCredentials(dir: string): Promise<Credentials> {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const f = (n: string) => join(pki, n);
  if (!existsSync(f('apiserver.crt'))) {
    const ssl = async (args: string[]) => {
      try {
        await execFileAsync('openssl', args);
      } catch (e) {
        throw new FlatnetError('PkiFailed', `openssl ${args[0]} failed: ${(e as { stderr?: string }).stderr?.trim() || e}`, {}, 'install openssl (apt-get install openssl)');
      }
    };
    // The CA and the server key are independent; only the signing needs both.
    await Promise.all([
      ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650', '-subj', '/CN=flatnet-ca', '-keyout', f('ca.key'), '-out', f('ca.crt')]),
      ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', f('apiserver.key'), '-out', f('apiserver.csr')]),
    ]);
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n');
    await ssl(['x509', '-req', '-in', f('apiserver.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '3650', '-extfile', f('san.ext'), '-out', f('apiserver.crt')]);
    writeFileSync(f('token'), randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  return { caCert: readFileSync(f('ca.crt'), 'utf8'), cert: readFileSync(f('apiserver.crt'), 'utf8'), key: readFileSync(f('apiserver.key'), 'utf8'), token: readFileSync(f('token'), 'utf8').trim() };
}

/** A kubeconfig for this cluster only; the context is named like kind's (`kind-<name>` → `flatnet-<name>`). */
export function writeKubeconfig(dir: string, name: string, port: number, c: Credentials): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, kubeconfigYaml(name, port, c), { mode: 0o600 });
  return path;
}

export function kubeconfigYaml(name: string, port: number, c: Credentials): string {
  const ctx = `flatnet-${name}`;
  return `apiVersion: v1
kind: Config
clusters:
- name: ${ctx}
  cluster:
    server: https://127.0.0.1:${port}
    certificate-authority-data: ${Buffer.from(c.caCert).toString('base64')}
contexts:
- name: ${ctx}
  context:
    cluster: ${ctx}
    user: ${ctx}
    namespace: default
current-context: ${ctx}
users:
- name: ${ctx}
  user:
    token: ${c.token}
preferences: {}
`;
}
