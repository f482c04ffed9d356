/**
 * @module
 * Clusters kept ready for the next learner, one pool per kind of cluster (provider, CNI, and
 * the shape a lab asks for: nodes and network mode).
 * A pool is topped up one cluster at a time (a burst of creations would starve the running
 * sessions). A used cluster comes back through `giveBack`: providers whose clusters take
 * minutes to make (kind) reset it into the pool; the others destroy it and make a fresh one
 * (a local cluster starts in ~1 s, faster than its lab pods stop gracefully).
 */
import { randomBytes } from 'node:crypto';
import type { ClusterSpec, CniName, Provider } from '../providers/provider.ts';

/** What a pool's clusters look like beyond provider and CNI: a lab's nodes and network mode. */
export type Shape = Pick<ClusterSpec, 'nodes' | 'network' | 'proxyMode' | 'ingress'>;

export class WarmPool {
  readonly provider: Provider;
  readonly cni: CniName | undefined;
  readonly shape: Shape;
  /** Clusters to keep ready; a pool of 0 still keeps one reset cluster of a provider that prefers reset. */
  private readonly size: number;
  private readonly ready: string[] = [];
  private filling = 0;
  private closed = false;
  /** Where the pool reports work under way, so the server can wait for it on close. */
  private readonly track: (p: Promise<unknown>) => void;

  constructor(provider: Provider, cni: CniName | undefined, size: number, track: (p: Promise<unknown>) => void, shape: Shape = {}) {
    this.provider = provider;
    this.cni = cni;
    this.shape = shape;
    this.size = size;
    this.track = track;
    this.fill();
  }

  get length(): number {
    return this.ready.length;
  }

  /** A ready cluster, if one is waiting; the pool starts making its replacement. */
  take(): string | undefined {
    const name = this.ready.shift();
    this.fill();
    return name;
  }

  /** A cluster a session is done with. */
  giveBack(name: string): Promise<void> {
    const p = this.recycle(name);
    this.track(p);
    return p;
  }

  private async recycle(name: string): Promise<void> {
    const room = Math.max(this.size, 1) - this.ready.length - this.filling;
    if (this.provider.prefersReset && !this.closed && room > 0) {
      this.filling++;
      try {
        await this.provider.reset(name);
        if (!this.closed) return void this.ready.push(name);
      } catch {
        // a cluster that will not reset is not given to anyone: it goes
      } finally {
        this.filling--;
      }
    }
    await this.provider.destroy(name).catch(() => undefined);
    this.fill();
  }

  private fill(): void {
    if (this.closed || this.filling > 0 || this.ready.length >= this.size) return;
    const name = `w-${randomBytes(5).toString('hex')}`;
    this.filling++;
    const p = this.provider
      .create({ name, ...(this.cni ? { cni: this.cni } : {}), ...this.shape }, () => {})
      .then(
        () => void this.ready.push(name),
        () => this.provider.destroy(name).catch(() => undefined),
      )
      .finally(async () => {
        this.filling--;
        if (this.closed) await this.drain(); // made while the server was closing
        else this.fill();
      });
    this.track(p);
  }

  /** Stops refilling and destroys what waits. */
  async drain(): Promise<void> {
    this.closed = true;
    for (const name of this.ready.splice(0)) await this.provider.destroy(name).catch(() => undefined);
  }
}
