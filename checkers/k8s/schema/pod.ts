/**
 * @module
 * Pod (v1) with every field name of Kubernetes 1.32, so an unknown field is reported as the API
 * server reports it (`strict decoding error: unknown field "spec.restartPolicyy"`). What the
 * networking course uses is modelled and checked; the rest (security, scheduling, storage) is
 * named and left open.
 */
import { z } from 'zod';
import { parseIP } from '../../net/ip.ts';
import { portNameErrors, portNumberErrors } from '../names.ts';
import { fieldError, report } from './field-errors.ts';
import { ObjectMetaSchema } from './meta.ts';
import { ProtocolSchema } from './network-policy.ts';
import { named, oneOf, opaque } from './registry.ts';

const core = (name: string) => `io.k8s.api.core.v1.${name}`;

export const ContainerPortSchema = named(
  core('ContainerPort'),
  z
    .strictObject({
      name: z.string().optional().describe('A name policies and Services can refer to instead of the number (IANA service name).'),
      containerPort: z.number().describe('The port the container listens on.'),
      protocol: ProtocolSchema.optional(),
      hostPort: z.number().optional().describe("Also expose the port on the node's address (portmap)."),
      hostIP: z.string().optional().describe('Node address to bind hostPort to.'),
    })
    .superRefine((p, ctx) => {
      for (const m of portNumberErrors(p.containerPort)) report(ctx, ['containerPort'], fieldError.invalid(p.containerPort, m));
      if (p.name !== undefined) for (const m of portNameErrors(p.name)) report(ctx, ['name'], fieldError.invalid(p.name, m));
    })
    .describe('A port a container serves. Listing it is informational: the container can listen on any port.'),
);

const EnvVarSchema = named(
  core('EnvVar'),
  z
    .strictObject({
      name: z.string().describe('Variable name.'),
      value: z.string().optional().describe('Variable value.'),
      valueFrom: opaque(core('EnvVarSource'), 'Take the value from a field, resource, ConfigMap or Secret.').optional(),
    })
    .describe('An environment variable of the container.'),
);

const probe = (what: string) => opaque(core('Probe'), 'A check the kubelet runs: exec, httpGet, tcpSocket or grpc, with its timings.').optional().describe(what);

export const ContainerSchema = named(
  core('Container'),
  z
    .strictObject({
      name: z.string().describe('Container name, unique within the pod.'),
      image: z.string().optional().describe('Container image, e.g. nginx:alpine.'),
      imagePullPolicy: oneOf(['Always', 'IfNotPresent', 'Never'], 'When to pull the image. Defaults to Always for :latest or no tag, else IfNotPresent.').optional(),
      command: z.array(z.string()).optional().describe('Entrypoint override.'),
      args: z.array(z.string()).optional().describe('Arguments to the entrypoint.'),
      workingDir: z.string().optional().describe('Working directory of the process.'),
      ports: z.array(ContainerPortSchema).optional().describe('Ports this container serves.'),
      env: z.array(EnvVarSchema).optional().describe('Environment variables.'),
      envFrom: z.array(opaque(core('EnvFromSource'), 'Variables taken from a ConfigMap or Secret.')).optional().describe('Sources of many variables at once.'),
      resources: opaque(core('ResourceRequirements'), 'CPU and memory requests and limits.').optional(),
      resizePolicy: z.array(opaque(core('ContainerResizePolicy'), 'How a resource change is applied.')).optional().describe('Resize policies per resource.'),
      restartPolicy: z.string().optional().describe('Only for init containers: Always makes it a sidecar.'),
      volumeMounts: z.array(opaque(core('VolumeMount'), 'A volume mounted at a path.')).optional().describe('Volumes mounted into the container.'),
      volumeDevices: z.array(opaque(core('VolumeDevice'), 'A block device from a volume.')).optional().describe('Block devices of the container.'),
      livenessProbe: probe('Restart the container when this check fails.'),
      readinessProbe: probe('Take the pod out of Service endpoints while this check fails.'),
      startupProbe: probe('Hold the other probes until this check succeeds once.'),
      lifecycle: opaque(core('Lifecycle'), 'Hooks run after start and before stop.').optional(),
      terminationMessagePath: z.string().optional().describe('File the container writes its last words to.'),
      terminationMessagePolicy: oneOf(['File', 'FallbackToLogsOnError'], 'Where the termination message comes from.').optional(),
      securityContext: opaque(core('SecurityContext'), 'Privileges and Linux capabilities of the container.').optional(),
      stdin: z.boolean().optional().describe('Keep a stdin open (kubectl run -i, attach).'),
      stdinOnce: z.boolean().optional().describe('Close stdin after the first attach ends.'),
      tty: z.boolean().optional().describe('Allocate a terminal (kubectl run -t).'),
    })
    .describe('One container of the pod.'),
);

const ipField = (what: string) =>
  z
    .string()
    .superRefine((v, ctx) => {
      if (!parseIP(v)) report(ctx, [], fieldError.invalid(v, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    })
    .describe(what);

const PodDNSConfigSchema = named(
  core('PodDNSConfig'),
  z
    .strictObject({
      nameservers: z.array(z.string()).optional().describe('DNS servers for /etc/resolv.conf (added to those of dnsPolicy).'),
      searches: z.array(z.string()).optional().describe('Search domains for /etc/resolv.conf.'),
      options: z
        .array(z.strictObject({ name: z.string().describe('Option name, e.g. ndots.'), value: z.string().optional().describe('Option value.') }).describe('One resolver option.'))
        .optional()
        .describe('Resolver options, e.g. ndots:2.'),
    })
    .describe('Extra resolver settings merged into what dnsPolicy gives.'),
);

const PodSpecSchema = named(
  core('PodSpec'),
  z
    .strictObject({
      containers: z.array(ContainerSchema).min(1, fieldError.required('')).describe("The pod's containers (at least one)."),
      initContainers: z.array(ContainerSchema).optional().describe('Containers that run to completion, one by one, before the others start.'),
      ephemeralContainers: z.array(opaque(core('EphemeralContainer'), 'A debugging container added by kubectl debug.')).optional().describe('Debugging containers.'),
      restartPolicy: oneOf(['Always', 'OnFailure', 'Never'], 'Restart containers that exit: Always (default), OnFailure or Never.').optional(),
      terminationGracePeriodSeconds: z.number().optional().describe('Seconds between SIGTERM and SIGKILL on deletion (default 30).'),
      activeDeadlineSeconds: z.number().optional().describe('Seconds the pod may run before it is failed.'),
      dnsPolicy: oneOf(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'], 'Where DNS settings come from: ClusterFirst (cluster DNS, the default), Default (the node\'s), None (only dnsConfig).').optional(),
      dnsConfig: PodDNSConfigSchema.optional().describe('Extra nameservers, search domains and resolver options.'),
      nodeSelector: z.record(z.string(), z.string()).optional().describe('Node labels the pod must land on.'),
      nodeName: z.string().optional().describe('Node the pod runs on.'),
      serviceAccountName: z.string().optional().describe('Service account the pod runs as.'),
      serviceAccount: z.string().optional().describe('Deprecated alias of serviceAccountName.'),
      automountServiceAccountToken: z.boolean().optional().describe('Mount the service account token.'),
      hostNetwork: z.boolean().optional().describe("Use the node's network namespace instead of the pod's own."),
      hostPID: z.boolean().optional().describe("Use the node's PID namespace."),
      hostIPC: z.boolean().optional().describe("Use the node's IPC namespace."),
      hostUsers: z.boolean().optional().describe('Use the node\'s user namespace (default true).'),
      shareProcessNamespace: z.boolean().optional().describe('One PID namespace for all containers of the pod.'),
      hostname: z.string().optional().describe('Hostname of the pod (default: the pod name).'),
      subdomain: z.string().optional().describe('With a headless Service of this name: the pod gets <hostname>.<subdomain>.<ns>.svc.cluster.local.'),
      setHostnameAsFQDN: z.boolean().optional().describe('Use the fully qualified name as hostname.'),
      hostAliases: z
        .array(z.strictObject({ ip: z.string().describe('Address.'), hostnames: z.array(z.string()).optional().describe('Names for it.') }).describe('Extra /etc/hosts lines.'))
        .optional()
        .describe('Entries added to /etc/hosts.'),
      enableServiceLinks: z.boolean().optional().describe('Put Services into environment variables (default true).'),
      securityContext: opaque(core('PodSecurityContext'), 'Users, groups and sysctls of the pod.').optional(),
      imagePullSecrets: z.array(opaque(core('LocalObjectReference'), 'A Secret by name.')).optional().describe('Registry credentials.'),
      affinity: opaque(core('Affinity'), 'Node and pod (anti-)affinity rules.').optional(),
      tolerations: z.array(opaque(core('Toleration'), 'A taint the pod tolerates.')).optional().describe('Taints the pod tolerates.'),
      topologySpreadConstraints: z.array(opaque(core('TopologySpreadConstraint'), 'How to spread pods over a topology.')).optional().describe('Spreading rules.'),
      schedulerName: z.string().optional().describe('Scheduler that places the pod.'),
      schedulingGates: z.array(opaque(core('PodSchedulingGate'), 'A gate that holds scheduling.')).optional().describe('Gates that must be removed before the pod is scheduled.'),
      priority: z.number().optional().describe('Scheduling priority (from priorityClassName).'),
      priorityClassName: z.string().optional().describe('PriorityClass of the pod.'),
      preemptionPolicy: z.string().optional().describe('Whether the pod may preempt lower-priority pods.'),
      runtimeClassName: z.string().optional().describe('RuntimeClass to run the pod with.'),
      overhead: z.record(z.string(), z.unknown()).optional().describe('Resources the pod sandbox costs.'),
      readinessGates: z.array(opaque(core('PodReadinessGate'), 'An extra condition for readiness.')).optional().describe('Extra conditions the pod needs to be Ready.'),
      resourceClaims: z.array(opaque(core('PodResourceClaim'), 'A dynamic resource claim.')).optional().describe('Dynamic resources.'),
      resources: opaque(core('ResourceRequirements'), 'CPU and memory requests and limits.').optional(),
      os: z.strictObject({ name: z.string().describe('linux or windows.') }).optional().describe('Operating system of the pod.'),
      volumes: z.array(opaque(core('Volume'), 'A volume containers can mount.')).optional().describe('Volumes of the pod.'),
    })
    .describe('What the pod runs and how.'),
);

const PodStatusSchema = named(
  core('PodStatus'),
  z
    .strictObject({
      phase: z.string().optional().describe('Pending, Running, Succeeded, Failed or Unknown.'),
      conditions: z.array(opaque(core('PodCondition'), 'A condition and when it last changed.')).optional().describe('PodScheduled, Initialized, ContainersReady, Ready...'),
      message: z.string().optional().describe('Why the pod is in this state.'),
      reason: z.string().optional().describe('A short CamelCase reason.'),
      nominatedNodeName: z.string().optional().describe('Node a preempting pod waits for.'),
      hostIP: z.string().optional().describe('Address of the node the pod runs on.'),
      hostIPs: z.array(z.strictObject({ ip: z.string().describe('A node address.') }).describe('A node address.')).optional().describe('Addresses of the node.'),
      podIP: ipField('Primary pod address. Without it, flatnet assigns one from 10.244.0.0/16.').optional(),
      podIPs: z.array(z.strictObject({ ip: ipField('One pod address.') }).describe('One pod address.')).optional().describe('All pod addresses (dual-stack).'),
      startTime: z.string().optional().describe('When the kubelet accepted the pod.'),
      initContainerStatuses: z.array(opaque(core('ContainerStatus'), 'State of one container.')).optional().describe('States of the init containers.'),
      containerStatuses: z.array(opaque(core('ContainerStatus'), 'State of one container.')).optional().describe('States of the containers.'),
      ephemeralContainerStatuses: z.array(opaque(core('ContainerStatus'), 'State of one container.')).optional().describe('States of the debugging containers.'),
      qosClass: z.string().optional().describe('Guaranteed, Burstable or BestEffort.'),
      resize: z.string().optional().describe('State of a requested resize.'),
      resourceClaimStatuses: z.array(opaque(core('PodResourceClaimStatus'), 'A claim made for the pod.')).optional().describe('Claims made for the pod.'),
    })
    .describe('Observed state, kept by the kubelet. flatnet reads the addresses from lab files.'),
);

export const PodSchema = named(
  core('Pod'),
  z
    .strictObject({
      apiVersion: z.literal('v1').describe('Always v1.'),
      kind: z.literal('Pod').describe('Always Pod.'),
      metadata: ObjectMetaSchema.describe("Standard object metadata: name, namespace, labels, annotations."),
      spec: PodSpecSchema.describe('What the pod runs and how.'),
      status: PodStatusSchema.optional().describe('Observed state, kept by the kubelet.'),
    })
    .describe('A Kubernetes Pod (v1): containers that share one network namespace, hence one IP address.'),
);

export type Pod = z.infer<typeof PodSchema>;
