import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDiagram } from './parse.ts';
import { layers, layout } from './layout.ts';
import { renderSvg } from './svg.ts';

describe('diagram', () => {
  const d = parseDiagram(`
subgraph ns "Namespace: prod"
  fe[frontend<br>app=frontend]:::ok
  be[backend]
end
hack[attacker]:::bad
fe -->|allowed :8080| be
hack -x|DENIED| be
be -.-> fe
`);

  it('reads boxes, groups, tones and arrows', () => {
    assert.deepEqual(d.nodes.map((n) => [n.id, n.label, n.tone, n.group]), [
      ['fe', ['frontend', 'app=frontend'], 'ok', 'ns'],
      ['be', ['backend'], 'plain', 'ns'],
      ['hack', ['attacker'], 'bad', undefined],
    ]);
    assert.deepEqual(d.edges.map((e) => [e.from, e.to, e.style, e.label]), [
      ['fe', 'be', 'solid', 'allowed :8080'],
      ['hack', 'be', 'denied', 'DENIED'],
      ['be', 'fe', 'dashed', undefined],
    ]);
  });

  it('layers by the longest chain, ignoring the arrow that closes a cycle', () => {
    assert.deepEqual(Object.fromEntries(layers(d)), { fe: 0, be: 1, hack: 0 });
  });

  it('keeps every box of a group inside its frame, and other boxes outside', () => {
    const l = layout(d);
    const frame = l.frames[0]!;
    const inside = (id: string) => {
      const b = l.boxes.get(id)!;
      return b.x >= frame.x && b.y >= frame.y && b.x + b.w <= frame.x + frame.w && b.y + b.h <= frame.y + frame.h;
    };
    assert.ok(inside('fe') && inside('be'));
    assert.ok(!inside('hack'));
  });

  it('names the line it cannot read', () => {
    assert.throws(() => parseDiagram('a --> b\nthis is not a diagram'), /diagram line 2: cannot read "this is not a diagram"/);
    assert.throws(() => parseDiagram('subgraph x\na'), /subgraph "x" has no "end"/);
  });

  it('escapes text and titles the SVG for screen readers', () => {
    const svg = renderSvg(parseDiagram('a[<script>] --> b'), { id: 't', title: 'A & B' });
    assert.match(svg, /<title id="t-title">A &#38; B<\/title>/);
    assert.doesNotMatch(svg, /<script>/);
  });
});
