/**
 * @module
 * The answer editor: Monaco with monaco-yaml, validating each document against the schema of
 * its kind — NetworkPolicy, Service, Pod, Namespace (errors inline, field docs on hover, completion). Loaded lazily, after the page's
 * text is on screen. The engine's own findings (an invalid selector, an unknown field) are
 * added as markers of their own, at the line the engine names.
 */
import monaco, { type Api } from './monaco-core.ts';
import { configureMonacoYaml } from 'monaco-yaml';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import YamlWorker from './yaml.worker.ts?worker';

export interface Marker {
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface PolicyEditor {
  getValue(): string;
  setValue(text: string): void;
  onChange(fn: (text: string) => void): void;
  setMarkers(list: Marker[]): void;
  setTheme(dark: boolean): void;
  focus(): void;
}

let configured = false;

function configure(schema: Record<string, unknown>): void {
  if (configured) return;
  configured = true;
  (globalThis as unknown as { MonacoEnvironment: Api.Environment }).MonacoEnvironment = {
    getWorker: (_id: string, label: string) => (label === 'yaml' ? new YamlWorker() : new EditorWorker()),
  };
  configureMonacoYaml(monaco, {
    enableSchemaRequest: false,
    isKubernetes: true,
    schemas: [{ uri: 'https://flatnet.invalid/schemas/kubernetes.json', fileMatch: ['**/*.yaml'], schema: schema as never }],
  });
}

export function createEditor(host: HTMLElement, opts: { value: string; schema: Record<string, unknown>; uri: string; dark: boolean; label: string }): PolicyEditor {
  configure(opts.schema);
  const uri = monaco.Uri.parse(`file:///${opts.uri}`);
  const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(opts.value, 'yaml', uri);
  model.setValue(opts.value);
  const editor = monaco.editor.create(host, {
    model,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    tabSize: 2,
    insertSpaces: true,
    scrollBeyondLastLine: false,
    theme: opts.dark ? 'vs-dark' : 'vs',
    ariaLabel: opts.label,
    quickSuggestions: { other: true, comments: false, strings: true },
    renderWhitespace: 'boundary',
    wordWrap: 'on',
  });
  return {
    getValue: () => model.getValue(),
    setValue: (text) => model.setValue(text),
    onChange: (fn) => void model.onDidChangeContent(() => fn(model.getValue())),
    setMarkers: (list) =>
      monaco.editor.setModelMarkers(
        model,
        'flatnet',
        list.map((m) => {
          const line = Math.min(Math.max(1, m.line), model.getLineCount());
          return {
            startLineNumber: line, endLineNumber: line, startColumn: model.getLineFirstNonWhitespaceColumn(line) || 1, endColumn: model.getLineMaxColumn(line),
            message: m.message, severity: m.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning, source: 'flatnet',
          };
        }),
      ),
    setTheme: (dark) => monaco.editor.setTheme(dark ? 'vs-dark' : 'vs'),
    focus: () => editor.focus(),
  };
}
