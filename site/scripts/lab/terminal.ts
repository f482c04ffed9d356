/**
 * @module
 * The learner's shell: xterm.js over the runner's WebSocket. Loaded only when a session is
 * ready (xterm is the page's second-largest part). Keystrokes go up as `{"type":"input"}`,
 * size changes as `{"type":"resize"}`; output comes down as binary frames. A dropped
 * connection is retried with backoff, and the runner replays the scrollback, so the screen
 * is cleared first rather than printed twice.
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';

export interface LabTerminal {
  /** Types text at the prompt, as if the learner had typed it. */
  type(text: string): void;
  /** Whether keystrokes reach the shell right now. */
  readonly connected: boolean;
  focus(): void;
  setTheme(dark: boolean): void;
  dispose(): void;
}

const DARK = { background: '#15191e', foreground: '#e6e9ed', cursor: '#6cb6ff', selectionBackground: '#3a4a5e' };
const LIGHT = { background: '#fbfcfd', foreground: '#1b1f24', cursor: '#0b5cad', selectionBackground: '#c8dcf4' };

export function openTerminal(host: HTMLElement, url: () => string, opts: { dark: boolean; onStatus: (s: 'connecting' | 'connected' | 'retrying') => void }): LabTerminal {
  const term = new Terminal({ cursorBlink: true, fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace", fontSize: 14, scrollback: 5000, theme: opts.dark ? DARK : LIGHT });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.loadAddon(new WebLinksAddon());
  term.open(host);
  fit.fit();
  term.textarea?.setAttribute('aria-label', 'Lab terminal: a shell with kubectl for your cluster');

  let ws: WebSocket | undefined;
  let attempt = 0;
  let disposed = false;
  const send = (msg: unknown) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  };
  const connect = () => {
    opts.onStatus(attempt === 0 ? 'connecting' : 'retrying');
    const sock = new WebSocket(url());
    sock.binaryType = 'arraybuffer';
    ws = sock;
    sock.onopen = () => {
      attempt = 0;
      term.reset(); // the runner replays the scrollback on every connection
      opts.onStatus('connected');
      send({ type: 'resize', cols: term.cols, rows: term.rows });
    };
    sock.onmessage = (m: MessageEvent<ArrayBuffer | string>) => term.write(typeof m.data === 'string' ? m.data : new Uint8Array(m.data));
    sock.onclose = () => {
      if (disposed || ws !== sock) return;
      attempt++;
      opts.onStatus('retrying');
      setTimeout(connect, Math.min(8000, 250 * 2 ** attempt));
    };
  };
  term.onData((data) => send({ type: 'input', data }));
  term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
  const resize = new ResizeObserver(() => {
    if (host.clientWidth > 0 && host.clientHeight > 0) fit.fit();
  });
  resize.observe(host);
  connect();

  return {
    type: (text) => send({ type: 'input', data: text }),
    get connected() {
      return ws?.readyState === WebSocket.OPEN;
    },
    focus: () => term.focus(),
    setTheme: (dark) => (term.options.theme = dark ? DARK : LIGHT),
    dispose() {
      disposed = true;
      resize.disconnect();
      ws?.close();
      term.dispose();
    },
  };
}
