import { z } from 'zod';
import { ObjectMetaSchema } from './meta.ts';
import { ProtocolSchema } from './network-policy.ts';

export const ServicePortSchema = z
  .object({
    name: z.string().optional().describe('Port name (required when the Service has several ports).'),
    protocol: ProtocolSchema.optional(),
    port: z.number().describe('Port the Service listens on.'),
    targetPort: z.union([z.number(), z.string()]).optional().describe('Pod port (number or container port name); defaults to `port`.'),
    nodePort: z.number().optional().describe('Node port for NodePort / LoadBalancer Services.'),
  })
  .describe('One port of the Service.');

export const ServiceSchema = z
  .object({
    apiVersion: z.literal('v1'),
    kind: z.literal('Service'),
    metadata: ObjectMetaSchema,
    spec: z
      .object({
        type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional().describe('How the Service is exposed.'),
        selector: z.record(z.string(), z.string()).optional().describe('Pods that back the Service.'),
        clusterIP: z.string().optional().describe('Virtual IP; "None" for a headless Service.'),
        externalName: z.string().optional().describe('DNS name an ExternalName Service points to.'),
        ports: z.array(ServicePortSchema).optional().describe('Ports the Service exposes.'),
      })
      .describe('Service spec.'),
  })
  .describe('A Kubernetes Service (v1).');

export type Service = z.infer<typeof ServiceSchema>;
