/**
 * An image the local cluster cannot run fails as on a real cluster: ErrImagePull, then
 * ImagePullBackOff, with an event that names the images it can run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call } from '../../runner/providers/local/client.ts';
import { cannotRunCluster, cli, pods, until } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

describe('unknown images', { skip }, () => {
  it('end in ImagePullBackOff with an event naming the supported images', async () => {
    const c = cli();
    const name = 'pull';
    try {
      c.ok(['cluster', 'up', '--name', name]);
      c.ok(['cluster', 'apply', '--name', name, '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: cache, namespace: default}\nspec: {containers: [{name: redis, image: "redis:7"}]}\n');
      await until('ImagePullBackOff', () => pods(c, name).find((p) => p.name === 'cache' && p.status === 'ImagePullBackOff'));
      process.env.FLATNET_STATE_DIR = c.stateDir;
      const { objects } = await call<{ objects: { reason: string; message: string; type: string }[] }>(name, 'GET', '/objects?resource=events&namespace=default');
      const failed = objects.find((e) => e.reason === 'Failed' && e.message.startsWith('Failed to pull image "redis:7"'));
      assert.ok(failed, JSON.stringify(objects.map((e) => e.reason)));
      assert.equal(failed.type, 'Warning');
      assert.match(failed.message, /nginx:\*.*radial\/busyboxplus:curl.*registry\.k8s\.io\/e2e-test-images\/agnhost:\*/);
      assert.ok(objects.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "redis:7"'));
    } finally {
      c.run(['cluster', 'down', '--name', name]);
    }
  });
});
