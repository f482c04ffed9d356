/**
 * The Provider contract, as one suite any provider runs (test/providers/*.test.ts): create
 * with progress, status, kubeconfig, apply + waitReady, exec, a live probe, reset, destroy.
 * It asserts what the runner relies on, nothing about how a provider does it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { ClusterSpec, ProgressEvent, Provider } from '../../runner/providers/provider.ts';

export function providerContract(label: string, make: () => Provider, spec: ClusterSpec, skip: string | undefined): void {
  describe(`Provider contract: ${label}`, { skip, timeout: 300_000 }, () => {
    const provider = make();
    const events: ProgressEvent[] = [];
    const pod = (name: string, labels: Record<string, string>, command: string[]) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'contract', labels },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.52', command, ports: [{ containerPort: 8080 }] }] },
    });

    before(async () => {
      const info = await provider.create(spec, (e) => events.push(e));
      assert.equal(info.name, spec.name);
    });
    after(() => provider.destroy(spec.name));

    it('reports progress as numbered stages, ending ready', () => {
      assert.ok(events.length >= 2, JSON.stringify(events));
      for (const e of events) assert.ok(e.step >= 1 && e.step <= e.of && e.stage.length > 0, JSON.stringify(e));
      const steps = events.map((e) => e.step);
      assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'steps never go back');
    });

    it('is running, with a kubeconfig of its own', async () => {
      assert.equal(await provider.status(spec.name), 'running');
      assert.ok(existsSync(provider.kubeconfig(spec.name)));
      assert.equal(await provider.status(`${spec.name}-nope`), 'missing');
    });

    it('applies objects, waits until they are Ready, and runs commands in pods', async () => {
      await provider.apply(spec.name, [
        pod('server', { app: 'server' }, ['/agnhost', 'netexec', '--http-port=8080']),
        pod('client', { app: 'client' }, ['/agnhost', 'netexec', '--http-port=8080']),
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'contract' } }, // listed last: apply orders namespaces first
      ]);
      await provider.waitReady(spec.name, 60_000);
      const r = await provider.exec(spec.name, { namespace: 'contract', name: 'client' }, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.deepEqual([r.code, r.stdout, r.stderr], [3, 'out\n', 'err\n']);
    });

    it('probes with real packets, and a policy changes the verdict', async () => {
      const flow = { from: { namespace: 'contract', name: 'client' }, to: { namespace: 'contract', name: 'server' }, port: 8080, protocol: 'TCP' as const };
      const prober = provider.prober(spec.name);
      assert.equal((await prober.probe([flow]))[0]!.allowed, true);
      const ok = await prober.apply('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: contract}\nspec: {podSelector: {matchLabels: {app: server}}, policyTypes: [Ingress]}\n', 'deny.yaml');
      assert.deepEqual(ok, { ok: true, problems: [] });
      assert.equal((await prober.probe([flow]))[0]!.allowed, false);
      await prober.reset();
      assert.equal((await prober.probe([flow]))[0]!.allowed, true);
    });

    it('resets to a fresh cluster: the lab namespace and its pods are gone', async () => {
      await provider.reset(spec.name);
      const r = await provider.prober(spec.name).getObject('Namespace', undefined, 'contract');
      assert.equal(r, undefined);
      await provider.waitReady(spec.name, 30_000); // the system pods are still there and Ready
    });
  });
}
