import { z } from 'zod';
import { dns1123SubdomainErrors, labelKeyErrors, labelValueErrors } from '../names.ts';
import { fieldError, report } from './field-errors.ts';
import { named, opaque } from './registry.ts';

/** Labels as the API validates them: qualified-name keys, short values. */
export const LabelsSchema = z
  .record(z.string(), z.string())
  .superRefine((labels, ctx) => {
    // The API server names the map, not the key (ValidateLabels: field.Invalid(fldPath, ...)).
    for (const [k, v] of Object.entries(labels)) {
      for (const m of labelKeyErrors(k)) report(ctx, [], fieldError.invalid(k, m));
      for (const m of labelValueErrors(v)) report(ctx, [], fieldError.invalid(v, m));
    }
  })
  .describe('Key/value pairs that selectors match on, e.g. app: web.');

const nameField = z
  .string({ error: fieldError.required('name or generateName is required') })
  .superRefine((v, ctx) => {
    for (const m of dns1123SubdomainErrors(v)) report(ctx, [], fieldError.invalid(v, m));
  })
  .describe('Name of the object, unique within its namespace (a lowercase DNS subdomain).');

/**
 * Every field of metadata, because the API server decodes strictly: a misspelt `lables` is an
 * error, not a silently dropped field. The server-owned ones are accepted so that
 * `kubectl get -o yaml | kubectl apply -f -` round-trips.
 */
export const ObjectMetaSchema = named(
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  z
    .strictObject({
      name: nameField,
      generateName: z.string().optional().describe('Prefix for a server-generated name, used when name is empty.'),
      namespace: z.string().optional().describe('Namespace the object lives in; "default" when omitted.'),
      labels: LabelsSchema.optional(),
      annotations: z.record(z.string(), z.string()).optional().describe('Non-identifying key/value data for tools (selectors never see it).'),
      uid: z.string().optional().describe('Unique id the server gives the object. Read-only.'),
      resourceVersion: z.string().optional().describe('Version of the object the server last stored; updates that carry an older one conflict.'),
      generation: z.number().optional().describe('Counts changes to the desired state. Read-only.'),
      creationTimestamp: z.string().nullable().optional().describe('When the object was created. Read-only.'),
      deletionTimestamp: z.string().optional().describe('When deletion was requested; the object is Terminating until its finalizers are done. Read-only.'),
      deletionGracePeriodSeconds: z.number().optional().describe('Seconds the object has left to shut down once deletion is requested. Read-only.'),
      finalizers: z.array(z.string()).optional().describe('Work that must finish before the object is removed.'),
      ownerReferences: z.array(opaque('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', 'An object this one belongs to; deleting the owner deletes it.')).optional().describe('Objects this one depends on.'),
      managedFields: z.array(opaque('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', 'Which manager set which fields (server-side apply).')).optional().describe('Field ownership, kept by the server.'),
      selfLink: z.string().optional().describe('Deprecated; always empty.'),
    })
    .describe('Standard object metadata: name, namespace, labels and what the server keeps about the object.'),
);

/** A port given as a number or as a container port's name. */
export const IntOrStringSchema = named('io.k8s.apimachinery.pkg.util.intstr.IntOrString', z.union([z.number(), z.string()]).describe('A number or a name.'));

export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;
