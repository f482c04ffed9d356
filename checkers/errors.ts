/**
 * @module
 * The error catalogue. Every error a user can see is built here, so each one says
 * what happened, why, and what to do next — and names the file, line, object and
 * field when there is one. Names (`code`) are permanent: tests and scripts key on them.
 */

/** Where in the user's input an error points. */
export interface Where {
  file?: string;
  line?: number;
  column?: number;
  /** `Kind ns/name`, e.g. `NetworkPolicy data/postgres-policy`. */
  object?: string;
  /** Kubernetes field path, e.g. `spec.ingress[0].ports[0].port`. */
  field?: string;
}

export class FlatnetError extends Error {
  readonly code: string;
  readonly where: Where;
  /** What the user should do next. */
  readonly fix: string | undefined;

  constructor(code: string, message: string, where: Where = {}, fix?: string) {
    super(message);
    this.name = 'FlatnetError';
    this.code = code;
    this.where = where;
    this.fix = fix;
  }

  /** Errors this one groups (one per invalid field), printed one per line. */
  details: FlatnetError[] = [];

  /** One error standing for several, so callers see every problem at once. */
  static many(list: FlatnetError[]): FlatnetError {
    if (list.length === 1 && list[0]) return list[0];
    const e = new FlatnetError('InvalidInput', `${list.length} problems in the input`, {}, list[0]?.fix);
    e.details = list;
    return e;
  }

  /** For a terminal: `flatnet: file:line: Object: field: message — fix`, one line per problem. */
  format(): string {
    if (this.details.length > 0) return this.details.map((d) => d.format()).join('\n');
    return `flatnet: ${formatWhere(this.where)}${this.message}${this.fix ? ` — ${this.fix}` : ''}`;
  }
}

export function formatWhere(w: Where): string {
  let out = '';
  if (w.file) out += `${[w.file, w.line, w.line && w.column].filter(Boolean).join(':')}: `;
  if (w.object) out += `${w.object}: `;
  if (w.field) out += `${w.field}: `;
  return out;
}

/** A problem that does not stop evaluation but changes what a policy means. */
export interface Warning {
  code: string;
  message: string;
  where: Where;
}

export function formatWarning(w: Warning): string {
  return `flatnet: warning: ${formatWhere(w.where)}${w.message}`;
}

export const errors = {
  yamlSyntax: (where: Where, detail: string) =>
    new FlatnetError('YamlSyntax', `YAML syntax error: ${detail}`, where, 'fix the YAML at that line (indentation and `key: value` pairs are the usual cause)'),
  notAnObject: (where: Where) =>
    new FlatnetError('NotAnObject', 'document is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)', where, 'remove the document or give it apiVersion, kind and metadata'),
  invalidField: (where: Where, detail: string) =>
    new FlatnetError('InvalidField', detail, where, 'the API server would reject this object too; correct the field'),
  duplicateObject: (where: Where, firstAt: string) =>
    new FlatnetError('DuplicateObject', `defined twice (first at ${firstAt})`, where, 'give each object a unique name or remove one copy'),
  duplicatePodIP: (where: Where, ip: string, other: string) =>
    new FlatnetError('DuplicatePodIP', `status.podIP ${ip} is already used by pod ${other}`, where, 'give every pod its own address'),
  unknownPod: (ref: string, known: string) =>
    new FlatnetError('UnknownPod', `no pod ${ref} in the input`, {}, `use NS/POD with one of: ${known}`),
  badEndpoint: (flag: string, value: string) =>
    new FlatnetError('BadEndpoint', `${flag} ${value}: expected NS/POD${flag === '--to' ? ' or an IP address' : ' or an IP address'}`, {}, `write it like ${flag} default/web or ${flag} 10.0.0.1`),
  badPort: (value: string) =>
    new FlatnetError('BadPort', `--port ${value}: expected a port number (1-65535) or a port name`, {}, 'write it like --port 80 or --port http'),
  unknownPortName: (name: string, to: string) =>
    new FlatnetError('UnknownPortName', `--port ${name}: no container of ${to} declares a port named "${name}"`, {}, 'use a number, or a name from the pod\'s spec.containers[].ports[].name'),
  portRequired: (to: string) =>
    new FlatnetError('PortRequired', `--to ${to} is not a pod, so it has no declared ports to probe`, {}, 'add --port NUMBER'),
  badProtocol: (value: string) =>
    new FlatnetError('BadProtocol', `--protocol ${value}: not one of TCP, UDP, SCTP`, {}, 'use --protocol TCP, UDP or SCTP'),
};

/** Errors of labs (labs/<id>/lab.yaml), the grader and `flatnet lab` / `flatnet grade`. */
export const labErrors = {
  invalidLab: (where: Where, detail: string) =>
    new FlatnetError('InvalidLab', detail, where, 'correct the lab file (the lab schema: `flatnet lab schema`, or docs/authoring-labs.md)'),
  unknownParam: (where: Where, name: string, known: string) =>
    new FlatnetError('UnknownParam', `\${${name}} names no parameter of this lab`, where, known ? `use one of ${known}, or declare it under params` : 'declare it under params'),
  missingLabFile: (where: Where, path: string) =>
    new FlatnetError('MissingLabFile', `${path}: no such file next to lab.yaml`, where, 'create the file or fix the path (it is relative to the lab folder)'),
  noSuchLab: (id: string, known: string) =>
    new FlatnetError('NoSuchLab', `no lab "${id}" (looked for labs/${id}/lab.yaml)`, {}, known ? `use one of: ${known}` : 'pass a lab id or a path to a lab folder'),
  noLabs: (path: string) =>
    new FlatnetError('NoLabs', `${path}: no lab.yaml here or in its subfolders`, {}, 'point at labs/ or at one labs/<id> folder'),
  noSuchTask: (lab: string, task: string, known: string) =>
    new FlatnetError('NoSuchTask', `lab ${lab} has no task "${task}"`, {}, `use --task with one of: ${known}`),
  taskRequired: (lab: string, known: string) =>
    new FlatnetError('TaskRequired', `lab ${lab} has several tasks and --task was not given`, {}, `add --task with one of: ${known}`),
  labIdMismatch: (where: Where, id: string, folder: string) =>
    new FlatnetError('LabIdMismatch', `id "${id}" differs from the folder name "${folder}"`, where, 'rename the folder or the id: they must be equal so `flatnet grade ID` finds the lab'),
  unsupportedImage: (where: Where, image: string, supported: string) =>
    new FlatnetError('UnsupportedImage', `image ${image} is not in the supported set`, where, `use one of ${supported} (providers pre-load exactly these, so grading needs no registry)`),
  undeclaredNamespace: (where: Where, ns: string) =>
    new FlatnetError('UndeclaredNamespace', `namespace ${ns} is not declared`, where, 'add it to setup.namespaces (kube-system and default always exist)'),
  baselineObject: (where: Where, what: string) =>
    new FlatnetError('BaselineObject', `${what} is part of every cluster already`, where, 'remove it: flatnet adds kube-system (kube-dns Service, coredns pods) and default to every lab'),
  duplicateSetupObject: (where: Where, what: string) =>
    new FlatnetError('DuplicateSetupObject', `${what} is declared twice`, where, 'give each object of the setup a unique name'),
  appliedCheckCount: (where: Where, count: number) =>
    new FlatnetError('AppliedCheckCount', `the task has ${count} applied checks; it needs exactly one`, where, 'add one `kind: applied` check naming the namespace the answer belongs in'),
  noMatchingPod: (where: Where, endpoint: string) =>
    new FlatnetError('NoMatchingPod', `no pod of the setup matches ${endpoint}`, where, 'fix the namespace, pod name or labels, or add the pod to setup.pods'),
  needsNetwork: (where: Where, detail: string) =>
    new FlatnetError('NeedsNetwork', `${detail}: grading would need network access outside the cluster`, where, 'check against pods and Services of the lab instead (an outside address may only be expected to be denied)'),
  requiresNetworkPolicy: (where: Where) =>
    new FlatnetError('RequiresNetworkPolicy', 'a check expects traffic to be denied, but the lab does not require NetworkPolicy enforcement', where, 'set requires.networkPolicy: true (the kind default CNI ignores policies)'),
  starterPasses: (where: Where, task: string) =>
    new FlatnetError('StarterPasses', `task ${task}: the starter passes every check`, where, 'the editor would open with a solved task: make the starter incomplete, or add the check it should fail'),
  referenceFails: (where: Where, task: string, detail: string) =>
    new FlatnetError('ReferenceFails', `task ${task}: the reference fails ${detail}`, where, 'fix the reference solution or the check'),
  acceptedFails: (where: Where, task: string, answer: string, detail: string) =>
    new FlatnetError('AcceptedAnswerFails', `task ${task}: accepted answer "${answer}" fails ${detail}`, where, 'a correct formulation must pass: grade by behaviour (reach checks), not by the shape of the YAML'),
  wrongPasses: (where: Where, task: string, wrong: string) =>
    new FlatnetError('WrongAnswerPasses', `task ${task}: wrong answer "${wrong}" passes every check`, where, 'add a check that this mistake fails, before the general checks'),
  wrongHint: (where: Where, task: string, wrong: string, want: string, got: string) =>
    new FlatnetError('WrongAnswerHint', `task ${task}: wrong answer "${wrong}" fails with hint ${got}, not ${want}`, where, 'reorder the checks (the first failing check\'s hint is returned) or correct the expected hint'),
};

/** Errors of the kind provider (runner/providers/kind): real kind clusters with Calico or Cilium. */
export const kindErrors = {
  toolMissing: (tool: string, why: string) =>
    new FlatnetError('ToolMissing', `\`${tool}\` is not installed (or not on PATH): the kind provider runs it to ${why}`, {}, `install ${tool} (\`npx flatnet doctor --provider kind\` lists what the kind provider needs), or use the local provider`),
  dockerUnavailable: (detail: string) =>
    new FlatnetError('DockerUnavailable', `kind could not reach the Docker engine: ${detail}`, {}, 'start Docker (and check `docker info` works for this user), or use the local provider, which needs no Docker'),
  toolFailed: (what: string, command: string, detail: string, fix: string) =>
    new FlatnetError('KindStepFailed', `${what} failed: \`${command}\`: ${detail}`, {}, fix),
  clusterExists: (cluster: string, name: string) =>
    new FlatnetError('ClusterExists', `a kind cluster "${cluster}" already exists`, {}, `use it, or delete it first with \`npx flatnet cluster down --provider kind --name ${name}\``),
  notRunning: (name: string) =>
    new FlatnetError('ClusterNotRunning', `kind cluster "flatnet-${name}" does not exist (or this user did not create it)`, {}, `start it with \`npx flatnet cluster up --provider kind --name ${name}\``),
  networkNotReady: (cni: string, seconds: number, stragglers: string, kubeconfig: string) =>
    new FlatnetError(
      'NetworkNotReady',
      `the ${cni} network was not ready after ${seconds}s; still waiting for: ${stragglers}`,
      {},
      `look at them with \`kubectl --kubeconfig ${kubeconfig} describe pod -n NAMESPACE NAME\`; slow image pulls and low inotify limits are the usual causes (\`npx flatnet doctor --provider kind\`)`,
    ),
  podsNotReady: (seconds: number, stragglers: string, kubeconfig: string) =>
    new FlatnetError('PodsNotReady', `pods not Ready after ${seconds}s: ${stragglers}`, {}, `look at them with \`kubectl --kubeconfig ${kubeconfig} describe pod -n NAMESPACE NAME\` (images, commands)`),
};

/** Labs whose answer differs between the CNIs they allow. */
export const cniErrors = {
  ipBlockOnPods: (where: Where, task: string, answer: string, detail: string) =>
    new FlatnetError(
      'CiliumIpBlock',
      `task ${task}: the ${answer} passes only because an ipBlock matches pod traffic, which Cilium does not do (it fails ${detail} there); the lab allows Cilium (requires.cni)`,
      where,
      'select those pods with podSelector/namespaceSelector instead of ipBlock, or set requires.cni: calico',
    ),
};
