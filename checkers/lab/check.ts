/**
 * @module
 * Checks: what a task's answer must make true, stated as behaviour. Policies are graded
 * by the traffic they allow (`reach`), never by comparing YAML, so every correct
 * formulation passes. Each check names the hint the learner gets when it fails; checks
 * run in order and the first failure's hint is the one a task returns, so put the checks
 * that detect a specific mistake before the general ones.
 */
import { z } from 'zod';
import { fieldError, report } from './field-errors.ts';
import { LabelsSchema } from '../k8s/schema/meta.ts';
import { PROTOCOLS } from '../k8s/schema/network-policy.ts';

export const ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const idSchema = (what: string) =>
  z.string().regex(ID, 'must be lowercase letters, digits and dashes, starting and ending with a letter or digit').describe(what);

export const EndpointSchema = z
  .strictObject({
    namespace: z.string().optional().describe('Namespace of the pod(s). With `labels` and no namespace: every namespace.'),
    pod: z.string().optional().describe('One pod by name (needs `namespace`).'),
    labels: LabelsSchema.optional().describe('Every pod with these labels: the check expands to each matching pod.'),
    ip: z.string().optional().describe('An address outside the cluster (only as a destination).'),
  })
  .superRefine((e, ctx) => {
    const n = Number(e.pod !== undefined) + Number(e.labels !== undefined) + Number(e.ip !== undefined);
    if (n !== 1) report(ctx, [], fieldError.required('exactly one of pod, labels or ip'));
    if (e.pod !== undefined && e.namespace === undefined) report(ctx, ['namespace'], fieldError.required('a pod is named within a namespace'));
    if (e.ip !== undefined && e.namespace !== undefined) report(ctx, ['namespace'], fieldError.forbidden('an ip has no namespace'));
  })
  .describe('Pods by name or labels, or an outside IP address.');

const base = {
  id: idSchema('Unique within the task; reports and JUnit name the check by it.'),
  title: z.string().describe('What must hold, in plain words, e.g. "api can connect to postgres on TCP 5432".'),
  hint: idSchema('Id of the hint (in the task\'s hints) the learner gets when this check fails.'),
};

export const ReachCheckSchema = z
  .strictObject({
    kind: z.literal('reach').describe('Check kind: reach.'),
    ...base,
    from: EndpointSchema.describe('Source pod(s).'),
    to: EndpointSchema.describe('Destination pod(s) or an outside address.'),
    port: z.number().int().min(1).max(65535).describe('Destination port (the pod\'s port, not a Service port).'),
    protocol: z
      .enum([...PROTOCOLS, 'any'], { error: (iss) => fieldError.notSupported(iss.input, [...PROTOCOLS, 'any']) })
      .default('TCP')
      .describe('TCP, UDP or SCTP; `any`: allowed means some protocol gets through, denied means none does.'),
    expect: z.enum(['allowed', 'denied']).describe('What the policies must do to every flow the check expands to.'),
    side: z
      .enum(['egress', 'ingress'])
      .optional()
      .describe('Judge only one side: the source\'s egress or the destination\'s ingress. Omitted: the whole flow (both sides).'),
  })
  .describe('Traffic between pods is allowed or denied by the NetworkPolicies.');

export const DnsCheckSchema = z
  .strictObject({
    kind: z.literal('dns').describe('Check kind: dns.'),
    ...base,
    from: EndpointSchema.describe('Pod(s) doing the lookup.'),
    name: z.string().min(1).describe('The name looked up, as a pod would (short names use the pod\'s search path), e.g. backend or api.data.svc.cluster.local.'),
    resolvesTo: z
      .strictObject({
        service: z.string().describe('Service name.'),
        namespace: z.string().describe('Service namespace.'),
      })
      .optional()
      .describe('The Service whose ClusterIP the name must resolve to.'),
    expect: z.enum(['resolves', 'fails']).default('resolves').describe('resolves: the lookup succeeds (to resolvesTo if given); fails: it does not.'),
  })
  .describe('A pod resolves a name through cluster DNS. Static mode: the name matches the Service and UDP 53 to the kube-dns pods is allowed.');

export const HttpCheckSchema = z
  .strictObject({
    kind: z.literal('http').describe('Check kind: http.'),
    ...base,
    from: EndpointSchema.describe('Pod(s) making the request.'),
    url: z.string().describe('URL to GET, e.g. http://backend or http://backend.lab.svc.cluster.local:8080/healthz.'),
    status: z.number().int().default(200).describe('Expected HTTP status. Static mode checks that the request would reach a pod serving that port.'),
  })
  .describe('A pod GETs a URL and receives a status.');

export const ResourceCheckSchema = z
  .strictObject({
    kind: z.literal('resource').describe('Check kind: resource.'),
    ...base,
    object: z
      .strictObject({
        kind: z.string().describe('Object kind, e.g. NetworkPolicy.'),
        namespace: z.string().optional().describe('Namespace (omit for Namespaces).'),
        name: z.string().describe('Object name.'),
      })
      .describe('The object looked up among setup, given and answer objects.'),
    field: z.string().optional().describe('Dotted path of a field that must equal `equals`, e.g. spec.podSelector or spec.policyTypes[0].'),
    equals: z.unknown().optional().describe('Value the field must have (compared as JSON).'),
    expect: z.enum(['exists', 'absent']).default('exists').describe('Whether the object must exist.'),
  })
  .superRefine((c, ctx) => {
    if ((c.field === undefined) !== (c.equals === undefined)) report(ctx, ['field'], fieldError.required('field and equals go together'));
  })
  .describe('An object exists (or not), optionally with a field value.');

export const AppliedCheckSchema = z
  .strictObject({
    kind: z.literal('applied').describe('Check kind: applied.'),
    ...base,
    namespace: z.string().describe('Namespace every object of the answer must name in metadata.namespace.'),
    kinds: z.array(z.string()).default(['NetworkPolicy']).describe('Kinds the answer may contain.'),
  })
  .describe('The answer applies cleanly: valid objects of the expected kinds in the expected namespace.');

export const RouteCheckSchema = z
  .strictObject({
    kind: z.literal('route').describe('Check kind: route.'),
    ...base,
    url: z
      .string()
      .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?(\?[^#]*)?$/, 'must be an http:// or https:// URL with a host, e.g. https://shop.example.com/cart')
      .describe('The request a client outside the cluster sends to the ingress controller\'s address, e.g. https://shop.example.com/cart. https: the certificate served for the host (by SNI) must name it.'),
    reaches: z
      .strictObject({
        service: z.string().describe('Service name.'),
        namespace: z.string().describe('Service namespace.'),
      })
      .optional()
      .describe('The Service whose pods must answer. Omitted: no rule may match, so the controller answers 404.'),
  })
  .describe('A request from outside the cluster, through the ingress controller (the lab must `require: {ingress: true}`), reaches a Service — or is answered 404. Static mode: the Ingress rules, the TLS certificate\'s hosts, the Service\'s endpoints and the policies from the controller\'s pod; live mode: the request itself, and the controller\'s access log says which pod answered.');

export const CHECK_KINDS = ['reach', 'dns', 'http', 'resource', 'applied', 'route'] as const;

export const CheckSchema = z
  .discriminatedUnion('kind', [ReachCheckSchema, DnsCheckSchema, HttpCheckSchema, ResourceCheckSchema, AppliedCheckSchema, RouteCheckSchema])
  .describe('One check of a task, told apart by `kind`: reach, dns, http, resource, applied or route.');

export type Endpoint = z.infer<typeof EndpointSchema>;
export type Check = z.infer<typeof CheckSchema>;
export type ReachCheck = z.infer<typeof ReachCheckSchema>;
export type DnsCheck = z.infer<typeof DnsCheckSchema>;
export type HttpCheck = z.infer<typeof HttpCheckSchema>;
export type ResourceCheck = z.infer<typeof ResourceCheckSchema>;
export type AppliedCheck = z.infer<typeof AppliedCheckSchema>;
export type RouteCheck = z.infer<typeof RouteCheckSchema>;
