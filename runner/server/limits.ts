/**
 * @module
 * Limits per client, so one browser (or script) cannot starve the others: a token bucket for
 * a terminal's messages (keystrokes arrive one a message; a paste is one message), and a
 * count of sessions per client address.
 */

/** Allows `rate` events a second on average, `burst` at once. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly rate: number;
  private readonly burst: number;

  constructor(rate: number, burst: number) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A terminal client may send this many messages a second (held keys repeat at ~30/s). */
export const TERMINAL_RATE = { rate: 100, burst: 300 };
