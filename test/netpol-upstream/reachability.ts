/**
 * @module
 * A small mirror of upstream's truthtable.go and reachability.go
 * (kubernetes/kubernetes test/e2e/network/netpol). Method names keep upstream's
 * Go spelling so that the ported test bodies in cases.ts read line for line
 * like network_policy.go.
 */

/** A pod as "<namespace>/<pod>", e.g. "x/a". */
export type PodString = `${string}/${string}`;

export function NewPodString(namespace: string, podName: string): PodString {
  return `${namespace}/${podName}`;
}

function splitPodString(pod: PodString): { namespace: string; name: string } {
  const [namespace, name, ...rest] = pod.split('/');
  if (!namespace || !name || rest.length > 0) throw new Error(`expected ns/pod, found ${pod}`);
  return { namespace, name };
}

/** Matches pods by namespace and/or name; a missing field matches everything (upstream's Peer). */
export interface Peer {
  namespace?: string;
  pod?: string;
}

function peerMatches(peer: Peer, pod: PodString): boolean {
  const { namespace, name } = splitPodString(pod);
  return (peer.namespace === undefined || peer.namespace === namespace) && (peer.pod === undefined || peer.pod === name);
}

/** An n x n table of booleans, one per ordered (from, to) pair. */
export class TruthTable {
  readonly items: readonly PodString[];
  private readonly values = new Map<string, Map<string, boolean>>();

  /** Without a default value every cell starts unset (printed as "?"), as upstream's Observed table. */
  constructor(items: readonly PodString[], defaultValue?: boolean) {
    this.items = items;
    for (const from of items) {
      const row = new Map<string, boolean>();
      if (defaultValue !== undefined) for (const to of items) row.set(to, defaultValue);
      this.values.set(from, row);
    }
  }

  // Unknown keys throw, like upstream's Failf: an expectation naming a pod that is
  // not in the test's topology is a porting error, not something to ignore.
  private row(from: string): Map<string, boolean> {
    const row = this.values.get(from);
    if (!row) throw new Error(`from-key ${from} not found`);
    return row;
  }

  private checkTo(to: string): void {
    if (!this.items.includes(to as PodString)) throw new Error(`to-key ${to} not allowed`);
  }

  Set(from: string, to: string, value: boolean): void {
    this.checkTo(to);
    this.row(from).set(to, value);
  }

  SetAllFrom(from: string, value: boolean): void {
    const row = this.row(from);
    for (const to of this.items) row.set(to, value);
  }

  SetAllTo(to: string, value: boolean): void {
    this.checkTo(to);
    for (const from of this.items) this.row(from).set(to, value);
  }

  /** The cell's value, or undefined while unset. */
  Get(from: string, to: string): boolean | undefined {
    this.checkTo(to);
    return this.row(from).get(to);
  }

  IsComplete(): boolean {
    return this.items.every((from) => this.items.every((to) => this.Get(from, to) !== undefined));
  }

  /** A table that is true where both tables agree. */
  Compare(other: TruthTable): TruthTable {
    if (other.items.join() !== this.items.join()) throw new Error('cannot compare tables with different items');
    const out = new TruthTable(this.items);
    for (const from of this.items) for (const to of this.items) out.Set(from, to, this.Get(from, to) === other.Get(from, to));
    return out;
  }

  /** Upstream's format: rows are sources, columns destinations, "." allowed, "X" denied, "?" unset. */
  PrettyPrint(indent: string): string {
    const lines = [indent + ['-', ...this.items].join('\t')];
    for (const from of this.items) {
      const marks = this.items.map((to) => {
        const value = this.Get(from, to);
        return value === undefined ? '?' : value ? '.' : 'X';
      });
      lines.push(indent + [from, ...marks].join('\t'));
    }
    return lines.join('\n');
  }
}

export interface Summary {
  correct: number;
  incorrect: number;
  ignored: number;
  comparison: TruthTable;
}

/** Expected and observed connectivity between every ordered pair of the test's pods. */
export class Reachability {
  readonly Pods: readonly PodString[];
  readonly Expected: TruthTable;
  readonly Observed: TruthTable;

  constructor(pods: readonly PodString[], defaultExpectation: boolean) {
    this.Pods = pods;
    this.Expected = new TruthTable(pods, defaultExpectation);
    this.Observed = new TruthTable(pods);
  }

  Expect(from: PodString, to: PodString, isConnected: boolean): void {
    this.Expected.Set(from, to, isConnected);
  }

  /** Every pod's traffic into `pod` is allowed/denied. */
  ExpectAllIngress(pod: PodString, connected: boolean): void {
    this.Expected.SetAllTo(pod, connected);
  }

  /** All of `pod`'s traffic to every pod is allowed/denied. */
  ExpectAllEgress(pod: PodString, connected: boolean): void {
    this.Expected.SetAllFrom(pod, connected);
  }

  ExpectPeer(from: Peer, to: Peer, connected: boolean): void {
    for (const fromPod of this.Pods) {
      if (!peerMatches(from, fromPod)) continue;
      for (const toPod of this.Pods) if (peerMatches(to, toPod)) this.Expected.Set(fromPod, toPod, connected);
    }
  }

  Observe(fromPod: PodString, toPod: PodString, isConnected: boolean): void {
    this.Observed.Set(fromPod, toPod, isConnected);
  }

  /** Same expectations, nothing observed yet: what ValidateOrFail snapshots. */
  copy(): Reachability {
    const out = new Reachability(this.Pods, true);
    for (const from of this.Pods) for (const to of this.Pods) out.Expect(from, to, this.Expected.Get(from, to) === true);
    return out;
  }

  /** Upstream's Summary: with ignoreLoopback, pod-to-self cells never count as wrong. */
  Summary(ignoreLoopback: boolean): Summary {
    if (!this.Observed.IsComplete()) throw new Error('observations not complete!');
    const comparison = this.Expected.Compare(this.Observed);
    let correct = 0;
    let incorrect = 0;
    let ignored = 0;
    for (const from of this.Pods) {
      for (const to of this.Pods) {
        if (ignoreLoopback && from === to) ignored++;
        else if (comparison.Get(from, to)) correct++;
        else incorrect++;
      }
    }
    return { correct, incorrect, ignored, comparison };
  }
}

/** Upstream's constructor spelling, so ported bodies read `NewReachability(k8s.AllPodStrings(), true)`. */
export function NewReachability(pods: readonly PodString[], defaultExpectation: boolean): Reachability {
  return new Reachability(pods, defaultExpectation);
}
