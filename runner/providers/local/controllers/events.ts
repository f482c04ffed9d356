/**
 * @module
 * Events as `kubectl describe` and `kubectl get events` show them. Repeats of the same
 * reason and message on the same object bump `count` instead of adding lines.
 */
import type { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';

export type EventType = 'Normal' | 'Warning';

/**
 * One clock for every recorder in the daemon: a Pod and a Service of the same name, told
 * about by two components in the same millisecond, would otherwise get the same event name.
 */
let lastNano = 0n;

export class Recorder {
  private readonly store: ObjectStore;
  private readonly component: string;
  private readonly host: string;
  /** uid/reason/message → event name, so repeats are found without listing every event. */
  private readonly seen = new Map<string, string>();

  constructor(store: ObjectStore, component: string, host: string) {
    this.store = store;
    this.component = component;
    this.host = host;
  }

  /**
   * Named `<object>.<hex nanoseconds>` as client-go names them: names sort in time order, and
   * kubectl describe, whose sort by lastTimestamp (whole seconds) keeps list order on ties,
   * then shows Scheduled, Pulled, Created, Started as they happened.
   */
  private nextStamp(): string {
    const now = BigInt(Date.now()) * 1_000_000n;
    lastNano = now > lastNano ? now : lastNano + 1n;
    return lastNano.toString(16);
  }

  record(obj: KObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const namespace = obj.metadata.namespace ?? 'default';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const key = `${obj.metadata.uid}\u0000${reason}\u0000${message}`;
    const same = this.seen.get(key);
    if (same) {
      const bumped = this.store.mutate('events', namespace, same, (e) => {
        e.count = Number(e.count ?? 1) + 1;
        e.lastTimestamp = now;
      });
      if (bumped) return;
    }
    const created = this.store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${this.nextStamp()}`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component, host: this.host },
      reportingComponent: this.component,
      reportingInstance: this.host,
    });
    this.seen.set(key, created.metadata.name);
  }
}
