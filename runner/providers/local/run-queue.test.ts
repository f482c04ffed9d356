import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runQueue } from './run-queue.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runQueue', () => {
  it('runs the jobs of one key one after another, in the order they were queued', async () => {
    const queue = runQueue();
    const node = {};
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await tick(ms);
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([queue(node, job('a', 20)), queue(node, job('b', 1)), queue(node, job('c', 5))]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(log, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('runs the jobs of different keys at once', async () => {
    const queue = runQueue();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await tick(ms);
      log.push(`${name} end`);
    };
    await Promise.all([queue({}, job('node-1', 20)), queue({}, job('node-2', 1))]);
    assert.deepEqual(log, ['node-1 start', 'node-2 start', 'node-2 end', 'node-1 end']);
  });

  it('hands a failure to its caller, and the next job of the key still runs', async () => {
    const queue = runQueue();
    const node = {};
    const failed = queue(node, () => Promise.reject(new Error('iptables-restore exited 1')));
    const next = queue(node, () => Promise.resolve('applied'));
    await assert.rejects(failed, /exited 1/);
    assert.equal(await next, 'applied');
  });

  it('keeps separate queues apart: two queues on one key do not wait for each other', async () => {
    const [proxy, policy] = [runQueue(), runQueue()];
    const node = {};
    const log: string[] = [];
    let release!: () => void;
    const slow = proxy(node, () => new Promise<void>((resolve) => (release = resolve)).then(() => log.push('proxy')));
    await policy(node, async () => void log.push('policy'));
    release();
    await slow;
    assert.deepEqual(log, ['policy', 'proxy']);
  });
});
