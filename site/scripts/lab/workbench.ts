/**
 * @module
 * The answer being written: a plain text box from the first paint, replaced by Monaco once it
 * has loaded, and the reachability preview recomputed (debounced) as the text changes. The
 * engine and the editor are dynamic imports, so neither delays the page.
 */
import type { LabPageData } from './data.ts';
import { debounce, h } from './dom.ts';
import type { PolicyEditor } from './editor.ts';
import type { PreviewResult } from './preview.ts';

export class Workbench {
  private editor: PolicyEditor | undefined;
  private taskIndex = 0;
  private preview: { taskIndex: number; run: (draft: string) => PreviewResult } | undefined;
  private engine: { make: (taskIndex: number) => (draft: string) => PreviewResult; render: (r: PreviewResult) => void } | undefined;
  private readonly root: HTMLElement;
  private readonly data: LabPageData;
  private readonly onChange: (text: string) => void;

  constructor(root: HTMLElement, data: LabPageData, onChange: (text: string) => void) {
    this.root = root;
    this.data = data;
    this.onChange = onChange;
    this.textarea.addEventListener('input', () => this.changed());
  }

  private get textarea(): HTMLTextAreaElement {
    return this.root.querySelector<HTMLTextAreaElement>('[data-fallback]')!;
  }

  get text(): string {
    return this.editor?.getValue() ?? this.textarea.value;
  }

  set text(value: string) {
    if (this.editor) this.editor.setValue(value);
    else this.textarea.value = value;
    this.changed();
  }

  /** The task whose start state the preview compares against. */
  setTask(index: number, text: string): void {
    this.taskIndex = index;
    this.text = text;
  }

  setTheme(dark: boolean): void {
    this.editor?.setTheme(dark);
  }

  private changed(): void {
    this.onChange(this.text);
    this.schedule();
  }

  private schedule = debounce(() => {
    if (!this.engine) return;
    if (this.preview?.taskIndex !== this.taskIndex) this.preview = { taskIndex: this.taskIndex, run: this.engine.make(this.taskIndex) };
    const r = this.preview.run(this.text);
    this.engine.render(r);
    this.editor?.setMarkers(r.problems);
    this.root.dataset.preview = 'ready';
  }, 250);

  /** Loads the engine and the editor; the text box keeps working if either fails. */
  async load(dark: boolean): Promise<void> {
    const [{ createEditor }, { bundleOf, createPreview }, { renderPreview }] = await Promise.all([import('./editor.ts'), import('./preview.ts'), import('./preview-view.ts')]);
    const bundle = bundleOf(this.data.lab.source, this.data.lab.id);
    const host = this.root.querySelector<HTMLElement>('[data-preview]')!;
    this.engine = { make: (i) => createPreview(bundle, i), render: (r) => renderPreview(host, r) };
    const mount = h('div', { class: 'monaco-host' });
    const text = this.text;
    this.root.querySelector<HTMLElement>('[data-editor]')!.replaceChildren(mount);
    this.editor = createEditor(mount, { value: text, schema: this.data.schema, uri: `${this.data.lab.id}/answer.yaml`, dark, label: 'Policy editor: your answer in YAML' });
    this.editor.onChange(() => this.changed());
    this.schedule();
  }
}
