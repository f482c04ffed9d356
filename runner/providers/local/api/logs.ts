/**
 * @module
 * `kubectl logs [-f] [--tail N] [--previous] [--timestamps] [-c C]`: the pods/log subresource,
 * read from the kubelet's CRI-format files (`<time> <stream> <F|P> <text>`).
 */
import { existsSync, readFileSync, statSync, watch as fsWatch } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ObjectStore } from '../store/store.ts';
import { ApiError } from './handlers.ts';

export const LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;

/** Where the kubelet writes a container's log, one file per run (`n` = its restart count then). */
export function logFile(logDir: string, pod: { namespace: string; name: string; uid: string }, container: string, n: number): string {
  return join(logDir, `${pod.namespace}_${pod.name}_${pod.uid}`, container, `${n}.log`);
}

export function serveLogs(store: ObjectStore, logDir: string, namespace: string, name: string, url: URL, res: ServerResponse): void {
  const pod = store.get('pods', namespace, name);
  if (!pod) throw new ApiError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
  const containers = ((pod.spec?.containers ?? []) as { name: string }[]).map((c) => c.name);
  const container = url.searchParams.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
  if (!container) throw new ApiError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  if (!containers.includes(container)) throw new ApiError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
  const status = ((pod.status?.containerStatuses ?? []) as { name: string; restartCount: number }[]).find((c) => c.name === container);
  const restarts = status?.restartCount ?? 0;
  const previous = url.searchParams.get('previous') === 'true';
  if (previous && restarts === 0) throw new ApiError(400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`);
  const file = logFile(logDir, { namespace, name, uid: pod.metadata.uid ?? '' }, container, previous ? restarts - 1 : restarts);
  const timestamps = url.searchParams.get('timestamps') === 'true';
  const tail = url.searchParams.has('tailLines') ? Number(url.searchParams.get('tailLines')) : undefined;
  const render = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [ts, , tag, ...rest] = l.split(' ');
        const body = rest.join(' ');
        return `${timestamps ? `${ts} ` : ''}${body}${tag === 'P' ? '' : '\n'}`;
      });
  res.writeHead(200, { 'content-type': 'text/plain' });
  const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  let lines = render(read());
  if (tail !== undefined) lines = tail === 0 ? [] : lines.slice(-tail);
  res.write(lines.join(''));
  if (url.searchParams.get('follow') !== 'true' || previous) return void res.end();
  // Follow: send what is appended until the pod goes away or the client leaves.
  let offset = existsSync(file) ? statSync(file).size : 0;
  const poll = () => {
    if (!store.get('pods', namespace, name)) return void res.end();
    if (!existsSync(file)) return;
    const text = read();
    if (text.length > offset) {
      res.write(render(text.slice(offset)).join(''));
      offset = text.length;
    }
  };
  const timer = setInterval(poll, 200);
  let watcher: ReturnType<typeof fsWatch> | undefined;
  try {
    watcher = fsWatch(join(file, '..'), poll);
  } catch {
    // the folder appears once the container starts; the timer covers it
  }
  res.on('close', () => {
    clearInterval(timer);
    watcher?.close();
  });
}
