/** @module Service (v1) with every field name of Kubernetes 1.32 (strict, as the API server decodes). */
import { z } from 'zod';
import { IntOrStringSchema, ObjectMetaSchema } from './meta.ts';
import { ProtocolSchema } from './network-policy.ts';
import { named, oneOf, opaque } from './registry.ts';

const core = (name: string) => `io.k8s.api.core.v1.${name}`;

export const ServicePortSchema = named(
  core('ServicePort'),
  z
    .strictObject({
      name: z.string().optional().describe('Port name (required when the Service has several ports); SRV records use it.'),
      protocol: ProtocolSchema.optional(),
      appProtocol: z.string().optional().describe('Application protocol, a hint for proxies (e.g. http, kubernetes.io/h2c).'),
      port: z.number().describe('Port the Service listens on.'),
      targetPort: IntOrStringSchema.optional().describe('Pod port (number or container port name); defaults to `port`.'),
      nodePort: z.number().optional().describe('Port on every node for NodePort / LoadBalancer Services (30000-32767).'),
    })
    .describe('One port of the Service.'),
);

const ServiceSpecSchema = named(
  core('ServiceSpec'),
  z
    .strictObject({
      type: oneOf(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'How the Service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.').optional(),
      selector: z.record(z.string(), z.string()).optional().describe('Pods that back the Service (their IPs become its endpoints).'),
      ports: z.array(ServicePortSchema).optional().describe('Ports the Service exposes.'),
      clusterIP: z.string().optional().describe('Virtual IP; "None" for a headless Service. Allocated when omitted.'),
      clusterIPs: z.array(z.string()).optional().describe('Virtual IPs, one per IP family.'),
      ipFamilies: z.array(oneOf(['IPv4', 'IPv6'], 'An IP family.')).optional().describe('IP families of the Service.'),
      ipFamilyPolicy: oneOf(['PreferDualStack', 'RequireDualStack', 'SingleStack'], 'Whether the Service gets one or two IP families.').optional(),
      externalName: z.string().optional().describe('DNS name an ExternalName Service points to (a CNAME).'),
      externalIPs: z.array(z.string()).optional().describe('Extra addresses the Service answers on.'),
      sessionAffinity: oneOf(['ClientIP', 'None'], 'ClientIP sends a client to the same pod each time; None (default) spreads.').optional(),
      sessionAffinityConfig: opaque(core('SessionAffinityConfig'), 'How long ClientIP affinity lasts.').optional(),
      externalTrafficPolicy: oneOf(['Cluster', 'Local'], 'Local keeps the client address and uses only pods on the receiving node.').optional(),
      internalTrafficPolicy: oneOf(['Cluster', 'Local'], 'Local sends in-cluster traffic only to pods on the same node.').optional(),
      healthCheckNodePort: z.number().optional().describe('Health check port for externalTrafficPolicy Local.'),
      loadBalancerIP: z.string().optional().describe('Deprecated: a requested load-balancer address.'),
      loadBalancerSourceRanges: z.array(z.string()).optional().describe('Client CIDRs a load balancer lets in.'),
      loadBalancerClass: z.string().optional().describe('Which load-balancer implementation serves the Service.'),
      allocateLoadBalancerNodePorts: z.boolean().optional().describe('Allocate node ports for a LoadBalancer Service (default true).'),
      publishNotReadyAddresses: z.boolean().optional().describe('List pods in DNS and endpoints before they are Ready.'),
      trafficDistribution: z.string().optional().describe('Preference for nearby endpoints, e.g. PreferClose.'),
    })
    .describe('Service spec.'),
);

export const ServiceSchema = named(
  core('Service'),
  z
    .strictObject({
      apiVersion: z.literal('v1').describe('Always v1.'),
      kind: z.literal('Service').describe('Always Service.'),
      metadata: ObjectMetaSchema.describe("Standard object metadata: name, namespace, labels, annotations."),
      spec: ServiceSpecSchema.describe('Which pods back the Service and on which ports.'),
      status: z
        .strictObject({
          loadBalancer: opaque(core('LoadBalancerStatus'), 'Addresses of the load balancer.').optional(),
          conditions: z.array(opaque('io.k8s.apimachinery.pkg.apis.meta.v1.Condition', 'A condition and when it last changed.')).optional().describe('Conditions of the Service.'),
        })
        .optional()
        .describe('Observed state of the Service.'),
    })
    .describe('A Kubernetes Service (v1): a stable virtual IP and DNS name in front of a set of pods.'),
);

export type Service = z.infer<typeof ServiceSchema>;
