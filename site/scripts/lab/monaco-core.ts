/**
 * @module
 * Monaco without its 80 languages: the editor core with its editing features (edcore),
 * YAML highlighting, and the one shim monaco-yaml needs. editor.main would pull in every
 * language and the TypeScript service as well.
 */
import 'monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution.js';
import type * as Api from 'monaco-editor/esm/vs/editor/editor.api.js';
// @ts-expect-error edcore.main ships no types; it is editor.api plus the editing features.
import * as core from 'monaco-editor/esm/vs/editor/edcore.main.js';

const monaco = core as typeof Api;
export default monaco;
export type { Api };

interface LegacyWorkerOptions {
  label?: string;
  createData?: unknown;
  host?: Record<string, () => unknown>;
  keepIdleModels?: boolean;
  worker?: Worker | Promise<Worker>;
}

// monaco-yaml (through monaco-worker-manager) still creates its worker the pre-0.53 way, by
// label and createData; editor.main adapts that call, and so must we when we skip editor.main.
const modern = monaco.editor.createWebWorker;
(monaco.editor as { createWebWorker: (o: LegacyWorkerOptions) => unknown }).createWebWorker = (o: LegacyWorkerOptions) => {
  if (o.worker !== undefined) return modern(o as Parameters<typeof modern>[0]);
  const env = (globalThis as unknown as { MonacoEnvironment: { getWorker(id: string, label: string): Worker } }).MonacoEnvironment;
  const worker = Promise.resolve(env.getWorker('workerMain.js', o.label ?? 'monaco-editor-worker')).then((w) => {
    w.postMessage('ignore');
    w.postMessage(o.createData);
    return w;
  });
  return modern({ worker, host: o.host, keepIdleModels: o.keepIdleModels });
};
