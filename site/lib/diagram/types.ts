/**
 * @module
 * A diagram as data: boxes, arrows between them, and groups drawn around boxes. The chapter
 * diagrams (parsed from a small Mermaid-like text at build time) and the lab page's
 * connectivity pictures (built from grading results in the browser) are both this.
 */
export type Tone = 'plain' | 'ok' | 'bad' | 'focus' | 'muted';

export interface DiagramNode {
  id: string;
  /** Lines of text in the box. */
  label: string[];
  tone: Tone;
  group?: string;
}

export type EdgeStyle = 'solid' | 'dashed' | 'denied' | 'allowed';

export interface DiagramEdge {
  from: string;
  to: string;
  label?: string;
  style: EdgeStyle;
}

export interface DiagramGroup {
  id: string;
  title: string;
}

export interface Diagram {
  direction: 'LR' | 'TB';
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  groups: DiagramGroup[];
}
