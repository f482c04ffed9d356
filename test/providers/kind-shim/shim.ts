/**
 * Recorded shims of kind, docker, helm and kubectl for the kind provider's tests: this host
 * has no Docker engine, so kind cannot run. Every invocation is appended to the JSON-lines
 * file KIND_SHIM_LOG as {tool, argv, stdin}, and each tool answers as the real one does (as
 * the research notes show it), from state in KIND_SHIM_STATE:
 *
 * - kind create/get/load/delete keep a list of "clusters"; docker pull/image inspect a list of
 *   images; helm install and the Calico manifests are recorded, not applied.
 * - KIND_SHIM_BACKEND=local: `kind create cluster` starts a real flatnet local cluster
 *   (FLATNET_STATE_DIR=KIND_SHIM_FLATNET_STATE) and writes ITS kubeconfig, renamed kind-<name>
 *   as kind names it, to --kubeconfig; kubectl passes through to the real kubectl, so the
 *   provider talks to a real API server. What the local API server does not serve (the CNI's
 *   Deployments, DaemonSets, CRDs) is recorded, and stand-in agent pods (agnhost, with the
 *   CNI's labels, in its namespace) are created instead, so readiness waits on real pods.
 * - otherwise (fake): kubectl answers get pods/nodes/namespaces from the shim's state, every
 *   pod Ready, so command sequences are checked in a second.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const [tool, ...argv] = process.argv.slice(2) as [string, ...string[]];
const STATE = process.env.KIND_SHIM_STATE ?? '/tmp/kind-shim-state';
const LOCAL = process.env.KIND_SHIM_BACKEND === 'local';
const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const REAL_KUBECTL = process.env.KIND_SHIM_REAL_KUBECTL ?? '/usr/bin/kubectl';
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

interface Cluster { name: string; kubeconfig: string; nodes: number; local?: string; cni?: string }

const readsStdin = (tool === 'kind' && argv[0] === 'create') || (tool === 'helm' && argv.includes('-')) || (tool === 'kubectl' && argv.includes('-'));
const stdin = readsStdin ? readFileSync(0, 'utf8') : undefined;
if (process.env.KIND_SHIM_LOG) appendFileSync(process.env.KIND_SHIM_LOG, `${JSON.stringify({ tool, argv, ...(stdin !== undefined ? { stdin } : {}) })}\n`);

const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
const dir = (sub: string) => {
  const d = join(STATE, sub);
  mkdirSync(d, { recursive: true });
  return d;
};
const clusterFile = (name: string) => join(dir('clusters'), `${name}.json`);
const readCluster = (name: string): Cluster | undefined => (existsSync(clusterFile(name)) ? (JSON.parse(readFileSync(clusterFile(name), 'utf8')) as Cluster) : undefined);
const clusters = (): Cluster[] => readdirSync(dir('clusters')).map((f) => JSON.parse(readFileSync(join(dir('clusters'), f), 'utf8')) as Cluster);
const saveCluster = (c: Cluster) => writeFileSync(clusterFile(c.name), JSON.stringify(c));
const images = (): string[] => (existsSync(join(STATE, 'images.json')) ? (JSON.parse(readFileSync(join(STATE, 'images.json'), 'utf8')) as string[]) : []);
const imageId = (image: string) => `sha256:${createHash('sha256').update(image).digest('hex')}`;
const out = (s: string) => process.stdout.write(s.endsWith('\n') || s === '' ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);
const flatnet = (args: string[]) =>
  spawnSync(join(REPO, 'node_modules/.bin/node'), [join(REPO, 'bin/flatnet.js'), ...args], { env: { ...process.env, FLATNET_STATE_DIR: process.env.KIND_SHIM_FLATNET_STATE ?? join(STATE, 'flatnet') }, encoding: 'utf8' });
const realKubectl = (kubeconfig: string, args: string[], input?: string) => spawnSync(REAL_KUBECTL, ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8' });

function main(): number {
  switch (tool) {
    case 'kind':
      return kind();
    case 'docker':
      return docker();
    case 'helm':
      return helm();
    case 'kubectl':
      return kubectl();
  }
  err(`shim: unknown tool ${tool}`);
  return 127;
}

function kind(): number {
  const [a, b] = argv;
  const name = flag('--name') ?? 'kind';
  if (a === 'create' && b === 'cluster') {
    const kubeconfig = flag('--kubeconfig') ?? join(process.env.HOME ?? '/root', '.kube/config');
    if (readCluster(name)) {
      err(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
      return 1;
    }
    const config = parse(stdin ?? '') as { nodes?: { image?: string }[] } | null;
    err(`Creating cluster "${name}" ...`);
    err(` ✓ Ensuring node image (${config?.nodes?.[0]?.image?.split('@')[0] ?? 'kindest/node'}) 🖼`);
    err(' ✓ Preparing nodes 📦');
    const cluster: Cluster = { name, kubeconfig, nodes: config?.nodes?.length ?? 1 };
    if (LOCAL) {
      cluster.local = name.replace(/^flatnet-/, '').slice(0, 32);
      const up = flatnet(['cluster', 'up', '--name', cluster.local]);
      if (up.status !== 0) {
        err(`ERROR: failed to create cluster: ${up.stderr}`);
        return 1;
      }
      const path = /export KUBECONFIG=(\S+)/.exec(up.stdout)?.[1];
      const text = readFileSync(path!, 'utf8').replaceAll(`flatnet-${cluster.local}`, `kind-${name}`);
      mkdirSync(dirname(kubeconfig), { recursive: true });
      writeFileSync(kubeconfig, text, { mode: 0o600 });
    } else {
      mkdirSync(dirname(kubeconfig), { recursive: true });
      writeFileSync(kubeconfig, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': `kind-${name}`, clusters: [{ name: `kind-${name}`, cluster: { server: 'https://127.0.0.1:40000' } }], contexts: [{ name: `kind-${name}`, context: { cluster: `kind-${name}`, user: `kind-${name}` } }], users: [{ name: `kind-${name}`, user: {} }] }));
    }
    saveCluster(cluster);
    err(' ✓ Writing configuration 📜\n ✓ Starting control-plane 🕹️\n ✓ Installing StorageClass 💾');
    err(`Set kubectl context to "kind-${name}"`);
    return 0;
  }
  if (a === 'get' && b === 'clusters') {
    const names = clusters().map((c) => c.name).sort();
    if (names.length === 0) err('No kind clusters found.');
    else out(names.join('\n'));
    return 0;
  }
  if (a === 'get' && b === 'kubeconfig') {
    const c = readCluster(name);
    if (!c) {
      err(`ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`);
      return 1;
    }
    out(readFileSync(c.kubeconfig, 'utf8'));
    return 0;
  }
  if (a === 'load' && b === 'docker-image') {
    const c = readCluster(name);
    if (!c) {
      err(`ERROR: no nodes found for cluster "${name}"`);
      return 1;
    }
    const wanted = argv.slice(2).filter((x, i, all) => !x.startsWith('--') && !all[i - 1]?.startsWith('--'));
    for (const image of wanted) {
      if (!images().includes(image)) {
        err(`ERROR: image: "${image}" not present locally`);
        return 1;
      }
      err(`Image: "${image}" with ID "${imageId(image)}" not yet present on node "${name}-control-plane", loading...`);
    }
    return 0;
  }
  if (a === 'delete' && b === 'cluster') {
    err(`Deleting cluster "${name}" ...`);
    const c = readCluster(name);
    if (c?.local) flatnet(['cluster', 'down', '--name', c.local]);
    if (c) rmSync(clusterFile(name));
    const kc = flag('--kubeconfig');
    if (kc && existsSync(kc)) writeFileSync(kc, stringify({ apiVersion: 'v1', kind: 'Config', clusters: null, contexts: null, users: null, 'current-context': '' }));
    if (c) err(`Deleted nodes: ["${name}-control-plane"]`);
    return 0;
  }
  err(`ERROR: unknown command "${argv.join(' ')}" for "kind"`);
  return 1;
}

function docker(): number {
  const [a, b] = argv;
  if (a === 'info') {
    out('Server Version: 27.5.1 (shim)');
    return 0;
  }
  if (a === 'image' && b === 'inspect') {
    const image = argv.at(-1)!;
    if (!images().includes(image)) {
      err(`Error response from daemon: No such image: ${image}`);
      return 1;
    }
    out(imageId(image));
    return 0;
  }
  if (a === 'pull') {
    const image = argv.at(-1)!;
    writeFileSync(join(STATE, 'images.json'), JSON.stringify([...new Set([...images(), image])]));
    out(`${image.split(':')[1] ?? 'latest'}: Pulling from ${image.split(':')[0]}\nDigest: ${imageId(image)}\nStatus: Downloaded newer image for ${image}\n${image}`);
    return 0;
  }
  if (a === 'run') return dockerRun();
  if (a === 'ps') {
    // Only `ps -aq --filter label=K=V`: the shell containers of a cluster.
    const label = flag('--filter')?.replace(/^label=/, '');
    for (const f of readdirSync(dir('containers'))) {
      const c = JSON.parse(readFileSync(join(dir('containers'), f), 'utf8')) as { id: string; labels: string[] };
      if (label && c.labels.includes(label)) out(c.id);
    }
    return 0;
  }
  if (a === 'rm') {
    for (const id of argv.slice(1).filter((x) => !x.startsWith('-'))) {
      const file = join(dir('containers'), `${id}.json`);
      if (!existsSync(file)) continue;
      const c = JSON.parse(readFileSync(file, 'utf8')) as { pids: number[] };
      for (const pid of c.pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      rmSync(file, { force: true });
      out(id);
    }
    return 0;
  }
  err(`shim docker: not recorded: ${argv.join(' ')}`);
  return 1;
}

/**
 * `docker run` of a shell container, stood in for by its entrypoint run on this host: the
 * container's environment is passed, and a path under a bind mount's target is read from its
 * source, so KUBECONFIG=/flatnet/kubeconfig reaches the (host-reachable) kubeconfig kind gave.
 * Its PATH is the image's, not this one's (which has these shims first).
 * What this cannot show: the container's isolation (user, capabilities, read-only root, network).
 */
function dockerRun(): number {
  const withValue = new Set(['--name', '--label', '--network', '--user', '--cap-drop', '--security-opt', '--tmpfs', '-e', '-v', '--entrypoint']);
  const env: Record<string, string> = {};
  const mounts: [string, string][] = [];
  const labels: string[] = [];
  let entrypoint: string | undefined;
  let name = `shim-${process.pid}`;
  let i = 1;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const f = argv[i]!;
    if (!withValue.has(f)) continue;
    const v = argv[++i]!;
    if (f === '-e') env[v.slice(0, v.indexOf('='))] = v.slice(v.indexOf('=') + 1);
    else if (f === '-v') mounts.push([v.split(':')[0]!, v.split(':')[1]!]);
    else if (f === '--label') labels.push(v);
    else if (f === '--entrypoint') entrypoint = v;
    else if (f === '--name') name = v;
  }
  const [, ...args] = argv.slice(i); // the image, then the command's arguments
  for (const [k, v] of Object.entries(env)) for (const [src, dst] of mounts) if (v.startsWith(dst)) env[k] = src + v.slice(dst.length);
  const child = spawn(entrypoint ?? 'sh', args, { stdio: 'inherit', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TERM: process.env.TERM ?? 'xterm', ...env }, cwd: '/tmp' });
  const file = join(dir('containers'), `${name}.json`);
  writeFileSync(file, JSON.stringify({ id: name, labels, pids: [process.pid, child.pid] }));
  child.on('exit', (code) => {
    rmSync(file, { force: true });
    process.exit(code ?? 137);
  });
  return -1; // still running: exits with its command
}

function helm(): number {
  if (argv[0] === 'version') {
    out('version.BuildInfo{Version:"v3.17.0", GitCommit:"shim", GoVersion:"go1.23"}');
    return 0;
  }
  if (argv[0] === 'install') {
    const c = clusters().find((x) => x.kubeconfig === flag('--kubeconfig'));
    if (!c) {
      err('Error: INSTALLATION FAILED: Kubernetes cluster unreachable: the server could not be reached');
      return 1;
    }
    const namespace = flag('--namespace') ?? 'default';
    standIns(c, 'cilium', namespace, 'cilium', { 'k8s-app': 'cilium' });
    out(`NAME: ${argv[1]}\nLAST DEPLOYED: ${new Date().toUTCString()}\nNAMESPACE: ${namespace}\nSTATUS: deployed\nREVISION: 1\nTEST SUITE: None`);
    return 0;
  }
  err(`shim helm: not recorded: ${argv.join(' ')}`);
  return 1;
}

/** The CNI's agent pods: in the local backend real agnhost pods that become Ready, else a note in the state. */
function standIns(c: Cluster, cni: string, namespace: string, prefix: string, labels: Record<string, string>): void {
  saveCluster({ ...c, cni });
  if (!c.local) return;
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${prefix}-${createHash('sha256').update(c.name).digest('hex').slice(0, 5)}`, namespace, labels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: prefix, image: AGNHOST, command: ['/agnhost', 'netexec', '--http-port=9099'] }] } },
  ];
  const r = realKubectl(c.kubeconfig, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }));
  if (r.status !== 0) err(`shim: stand-in ${prefix} pods: ${r.stderr}`);
}

function kubectl(): number {
  const kubeconfig = flag('--kubeconfig') ?? process.env.KUBECONFIG ?? '';
  const c = clusters().find((x) => x.kubeconfig === kubeconfig);
  const args = argv.filter((x, i) => x !== '--kubeconfig' && argv[i - 1] !== '--kubeconfig');
  // The Calico install: its manifests come from the Internet and hold kinds the local API server does not serve.
  const file = flag('-f');
  if (args[0] === 'create' && file?.startsWith('https://')) {
    if (file.endsWith('/tigera-operator.yaml') && c) standIns(c, 'calico', 'calico-system', 'calico-node', { 'k8s-app': 'calico-node' });
    out(file.endsWith('/tigera-operator.yaml') ? 'namespace/tigera-operator created\ndeployment.apps/tigera-operator created' : 'customresourcedefinition.apiextensions.k8s.io/installations.operator.tigera.io created');
    return 0;
  }
  if (args[0] === 'wait' && args.includes('crd')) {
    out('customresourcedefinition.apiextensions.k8s.io/installations.operator.tigera.io condition met');
    return 0;
  }
  if (args[0] === 'create' && file === '-' && /operator\.tigera\.io/.test(stdin ?? '')) {
    out('installation.operator.tigera.io/default created\napiserver.operator.tigera.io/default created\ngoldmane.operator.tigera.io/default created\nwhisker.operator.tigera.io/default created');
    return 0;
  }
  if (c?.local) {
    const r = spawnSync(REAL_KUBECTL, argv, { input: stdin, stdio: [stdin === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'] });
    return r.status ?? 1;
  }
  if (!c) {
    err('The connection to the server localhost:8080 was refused - did you specify the right host or port?');
    return 1;
  }
  return fakeKubectl(c, args);
}

/** Fake backend: the API answers the provider reads, every pod and node Ready. */
function fakeKubectl(c: Cluster, args: string[]): number {
  const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
  const pod = (namespace: string, name: string, labels: Record<string, string>) => ({ metadata: { namespace, name, labels }, status: { phase: 'Running', ...ready } });
  if (args[0] === 'get' && args[1] === 'pods') {
    const per = (ns: string, prefix: string, labels: Record<string, string>) => Array.from({ length: c.nodes }, (_, i) => pod(ns, `${prefix}-${'abcde'.slice(i % 5)}${i}`, labels));
    const agents = c.cni === 'calico' ? per('calico-system', 'calico-node', { 'k8s-app': 'calico-node' }) : c.cni === 'cilium' ? per('kube-system', 'cilium', { 'k8s-app': 'cilium' }) : [];
    out(JSON.stringify({ items: [...agents, pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }), pod('kube-system', 'coredns-2', { 'k8s-app': 'kube-dns' })] }));
    return 0;
  }
  if (args[0] === 'get' && args[1] === 'nodes') {
    out(JSON.stringify({ items: Array.from({ length: c.nodes }, (_, i) => ({ metadata: { name: `${c.name}-${i === 0 ? 'control-plane' : `worker${i === 1 ? '' : i}`}` }, status: ready })) }));
    return 0;
  }
  if (args[0] === 'get' && args[1] === 'namespaces') {
    const names = ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'local-path-storage', ...(c.cni === 'calico' ? ['calico-system', 'tigera-operator'] : [])];
    out(JSON.stringify({ items: names.map((name) => ({ metadata: { name } })) }));
    return 0;
  }
  if (args[0] === 'get' && args[1] === 'namespace') {
    out(`namespace/${args[2]}`);
    return 0;
  }
  return 0;
}

const code = main();
if (code >= 0) process.exitCode = code; // -1: a `docker run` whose command exits us
