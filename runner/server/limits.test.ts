import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './limits.ts';

describe('TokenBucket', () => {
  it('allows a burst, then refuses, then refills at its rate', async () => {
    const b = new TokenBucket(50, 5);
    const first = Array.from({ length: 8 }, () => b.take());
    assert.deepEqual(first, [true, true, true, true, true, false, false, false]);
    await new Promise((r) => setTimeout(r, 120)); // at least 6 tokens' worth at 50/s, capped at the burst
    assert.equal(Array.from({ length: 8 }, () => b.take()).filter(Boolean).length, 5);
  });
});
