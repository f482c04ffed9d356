/**
 * @module
 * What a lab starts from: namespaces, pods (image, labels, ports) and Services, in a
 * compact form that renders to ordinary Kubernetes objects. Pods are written by image
 * and labels because that is all a lab needs to say; the objects are what both the
 * engine (static grading) and a provider (kubectl apply) consume.
 */
import { z } from 'zod';
import { dns1123LabelErrors, dns1123SubdomainErrors, portNameErrors, portNumberErrors } from '../k8s/names.ts';
import { fieldError, report } from './field-errors.ts';
import { LabelsSchema } from '../k8s/schema/meta.ts';
import { ProtocolSchema } from '../k8s/schema/network-policy.ts';

const name = (what: string, check: (v: string) => string[]) =>
  z
    .string()
    .superRefine((v, ctx) => {
      for (const m of check(v)) report(ctx, [], fieldError.invalid(v, m));
    })
    .describe(what);

const portNumber = (what: string) =>
  z
    .number()
    .superRefine((v, ctx) => {
      for (const m of portNumberErrors(v)) report(ctx, [], fieldError.invalid(v, m));
    })
    .describe(what);

const portName = name('Port name that policies and Services can use instead of the number.', portNameErrors);

export const SetupNamespaceSchema = z
  .strictObject({
    name: name('Namespace name (also its automatic kubernetes.io/metadata.name label).', dns1123LabelErrors),
    labels: LabelsSchema.optional().describe('Extra namespace labels, for namespaceSelector exercises.'),
  })
  .describe('A namespace the lab creates.');

export const SetupPortSchema = z
  .strictObject({
    port: portNumber('Port the container listens on.'),
    protocol: ProtocolSchema.default('TCP'),
    name: portName.optional(),
  })
  .describe('A port the pod serves.');

export const SetupPodSchema = z
  .strictObject({
    name: name('Pod name.', dns1123SubdomainErrors),
    namespace: name('Namespace of the pod (declared in setup.namespaces, or kube-system / default).', dns1123LabelErrors),
    image: z.string().describe('Container image; must be one of the supported images (see `flatnet lab validate`).'),
    labels: LabelsSchema.default({}).describe('Pod labels: what podSelectors match.'),
    ports: z.array(SetupPortSchema).default([]).describe('Ports the pod serves (container ports).'),
    command: z.array(z.string()).optional().describe('Command to run instead of the image entrypoint, e.g. [sleep, "3600"].'),
    env: z.record(z.string(), z.string()).optional().describe('Environment variables, e.g. POSTGRES_PASSWORD for postgres images.'),
  })
  .describe('A single-container pod the lab starts.');

export const SetupServicePortSchema = z
  .strictObject({
    port: portNumber('Port the Service listens on.'),
    targetPort: z.union([z.number(), z.string()]).optional().describe('Pod port (number or port name); defaults to `port`.'),
    protocol: ProtocolSchema.default('TCP'),
    name: portName.optional(),
  })
  .describe('One port of the Service.');

export const SetupServiceSchema = z
  .strictObject({
    name: name('Service name: what pods resolve through cluster DNS.', dns1123LabelErrors),
    namespace: name('Namespace of the Service.', dns1123LabelErrors),
    selector: LabelsSchema.describe('Labels of the pods behind the Service.'),
    ports: z.array(SetupServicePortSchema).min(1, fieldError.required('at least one port')).describe('Ports the Service exposes.'),
    clusterIP: z.string().optional().describe('Virtual IP of the Service; assigned by the cluster when omitted.'),
  })
  .describe('A ClusterIP Service the lab creates.');

export const SetupSchema = z
  .strictObject({
    namespaces: z.array(SetupNamespaceSchema).default([]).describe('Namespaces to create.'),
    pods: z.array(SetupPodSchema).default([]).describe('Pods to run.'),
    services: z.array(SetupServiceSchema).default([]).describe('Services to create.'),
  })
  .describe(
    'What the cluster holds before the learner starts. A real cluster\'s kube-system (kube-dns Service, coredns pods labelled k8s-app=kube-dns) is always there too: flatnet adds it, do not declare it.',
  );

export type Setup = z.infer<typeof SetupSchema>;
export type SetupPod = z.infer<typeof SetupPodSchema>;
export type SetupService = z.infer<typeof SetupServiceSchema>;

/** The setup as Kubernetes objects, in apply order (namespaces, pods, services). */
export function setupObjects(setup: Setup): Record<string, unknown>[] {
  return [
    ...setup.namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, ...(n.labels ? { labels: n.labels } : {}) } })),
    ...setup.pods.map(podObject),
    ...setup.services.map(serviceObject),
  ];
}

export function podObject(p: SetupPod): Record<string, unknown> {
  const container: Record<string, unknown> = { name: p.name, image: p.image };
  if (p.command) container.command = p.command;
  if (p.env) container.env = Object.entries(p.env).map(([k, v]) => ({ name: k, value: v }));
  if (p.ports.length > 0) container.ports = p.ports.map((x) => ({ containerPort: x.port, protocol: x.protocol, ...(x.name ? { name: x.name } : {}) }));
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace, labels: p.labels }, spec: { containers: [container] } };
}

export function serviceObject(s: SetupService): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace },
    spec: {
      selector: s.selector,
      ...(s.clusterIP ? { clusterIP: s.clusterIP } : {}),
      ports: s.ports.map((p) => ({ port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })),
    },
  };
}
