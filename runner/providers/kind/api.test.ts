import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Status } from '@kubernetes/client-node';
import { apiMessage, exitCode } from './api.ts';

describe('exitCode: from the final Status of an exec', () => {
  const cases: { name: string; status: V1Status | undefined; code: number }[] = [
    { name: 'Success is 0', status: { status: 'Success' }, code: 0 },
    { name: 'a non-zero exit carries its code as the ExitCode cause', status: { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }, code: 3 },
    { name: 'a failure without a code (an internal error) is 1', status: { status: 'Failure', message: 'Internal error occurred: no such container' }, code: 1 },
    { name: 'no Status at all (the connection was cut) is 1', status: undefined, code: 1 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(exitCode(c.status), c.code));
});

describe('apiMessage: the API server\'s own words', () => {
  const cases: { name: string; error: unknown; message: string }[] = [
    { name: 'a Status body as JSON text', error: Object.assign(new Error('HTTP-Code: 422'), { body: JSON.stringify({ kind: 'Status', message: 'NetworkPolicy.networking.k8s.io "x" is invalid: spec.ingress[0].ports[0].port: Invalid value: 0' }) }), message: 'NetworkPolicy.networking.k8s.io "x" is invalid: spec.ingress[0].ports[0].port: Invalid value: 0' },
    { name: 'a Status body already parsed', error: Object.assign(new Error('x'), { body: { message: 'namespaces "nope" not found' } }), message: 'namespaces "nope" not found' },
    { name: 'a body that is plain text', error: Object.assign(new Error('x'), { body: 'upstream connect error' }), message: 'upstream connect error' },
    { name: 'no body: the error\'s own message', error: new Error('connect ECONNREFUSED 127.0.0.1:6443'), message: 'connect ECONNREFUSED 127.0.0.1:6443' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(apiMessage(c.error), c.message));
});
