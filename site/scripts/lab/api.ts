/**
 * @module
 * The runner's session API as the lab page uses it (runner/server/http.ts): create, follow
 * progress over Server-Sent Events, apply, grade, reset, end. The session id and token are
 * kept in sessionStorage per lab, so a reload resumes the same cluster instead of making a new one.
 */
import type { GradeResult } from '../../../checkers/grade/result.ts';

export type SessionEvent =
  | { type: 'progress'; stage: string; step: number; of: number }
  | { type: 'ready'; ms: number }
  | { type: 'failed'; message: string }
  | { type: 'ended'; reason: string };

export interface SessionRef {
  id: string;
  token: string;
}

const key = (lab: string) => `flatnet:session:${lab}`;

export function savedSession(lab: string): SessionRef | undefined {
  try {
    const v = JSON.parse(sessionStorage.getItem(key(lab)) ?? '') as SessionRef;
    return typeof v.id === 'string' && typeof v.token === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function forgetSession(lab: string): void {
  sessionStorage.removeItem(key(lab));
}

/** Errors the runner answers with carry a message and what to do. */
export class ApiError extends Error {
  readonly status: number;
  readonly fix: string | undefined;
  constructor(status: number, message: string, fix?: string) {
    super(message);
    this.status = status;
    this.fix = fix;
  }
}

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'the lab runner cannot be reached', 'start it with `npm start` (or `npx flatnet serve`) and reload this page');
  }
  const data = (await res.json().catch(() => ({}))) as T & { error?: string; fix?: string };
  if (!res.ok) throw new ApiError(res.status, data.error ?? `${method} ${path}: HTTP ${res.status}`, data.fix);
  return data;
}

export async function createSession(lab: string, task: string): Promise<SessionRef> {
  const ref = await call<SessionRef>('POST', '/api/sessions', { lab, task });
  sessionStorage.setItem(key(lab), JSON.stringify(ref));
  return ref;
}

/**
 * Follows the session's events. `onGone` is called when the stream cannot be (re)opened —
 * the session ended, the runner restarted (410) or the token is stale — so the page can offer Start again.
 */
export function followEvents(s: SessionRef, onEvent: (e: SessionEvent) => void, onGone: () => void): () => void {
  const es = new EventSource(`/api/sessions/${s.id}/events?token=${encodeURIComponent(s.token)}`);
  for (const type of ['progress', 'ready', 'failed', 'ended'] as const) {
    es.addEventListener(type, (m) => onEvent(JSON.parse((m as MessageEvent<string>).data) as SessionEvent));
  }
  // EventSource retries dropped connections by itself; CLOSED means an HTTP error: it will not.
  // Leaving the page closes the stream too; that must not forget a session a reload resumes.
  let leaving = false;
  const leave = () => (leaving = true);
  addEventListener('pagehide', leave);
  addEventListener('beforeunload', leave);
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED && !leaving) onGone();
  };
  return () => {
    removeEventListener('pagehide', leave);
    removeEventListener('beforeunload', leave);
    es.close();
  };
}

export const apply = (s: SessionRef, yaml: string) => call<{ ok: boolean; output: string }>('POST', `/api/sessions/${s.id}/apply`, { yaml }, s.token);
export const grade = (s: SessionRef, answer: string, task: string) => call<GradeResult>('POST', `/api/sessions/${s.id}/grade`, { answer, task }, s.token);
export const reset = (s: SessionRef, task: string) => call<{ resetting: boolean }>('POST', `/api/sessions/${s.id}/reset`, { task }, s.token);
export const end = (s: SessionRef) => call<{ ended: boolean }>('DELETE', `/api/sessions/${s.id}`, undefined, s.token);

export function terminalUrl(s: SessionRef): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/sessions/${s.id}/terminal?token=${encodeURIComponent(s.token)}`;
}
