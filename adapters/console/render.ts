/**
 * Reply → terminal text: progress line, paragraphs and lists, cards as indented blocks, and the
 * choices numbered « 1) Label » across the whole turn (so a typed number picks one). Bold and
 * italic use ANSI codes only when the output is a terminal; otherwise text is plain.
 */
import type { Block, Card, Reply, Span } from '../../src/reply/model.js';

/** How to render: ANSI styling on or off. */
export interface ConsoleRenderOptions {
  readonly ansi?: boolean;
}

function spans(list: readonly Span[], ansi: boolean): string {
  return list
    .map((s) => {
      let t = s.href && !s.text.includes(s.href) ? `${s.text} (${s.href})` : s.text;
      if (ansi && s.bold) t = `\u001b[1m${t}\u001b[22m`;
      if (ansi && s.italic) t = `\u001b[3m${t}\u001b[23m`;
      return t;
    })
    .join('');
}

function block(b: Block, ansi: boolean): string {
  if (b.type === 'paragraph') return spans(b.spans, ansi);
  return b.items
    .map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${spans(item, ansi)}`)
    .join('\n');
}

function cardText(c: Card, ansi: boolean, numbering: { n: number }): string {
  const lines = [ansi ? `\u001b[1m${c.title}\u001b[22m` : `[ ${c.title} ]`];
  if (c.subtitle) lines.push(c.subtitle);
  for (const l of c.lines) lines.push(spans(l, ansi));
  for (const b of c.buttons ?? []) lines.push(`${numbering.n++}) ${b.label}`);
  return lines
    .map((l) =>
      l
        .split('\n')
        .map((x) => `    ${x}`)
        .join('\n'),
    )
    .join('\n');
}

/** Renders one turn's replies; choices are numbered from 1 across the turn. */
export function renderTurn(replies: readonly Reply[], options: ConsoleRenderOptions = {}): string {
  const ansi = options.ansi ?? false;
  const numbering = { n: 1 };
  const out: string[] = [];
  for (const r of replies) {
    const parts: string[] = [];
    const progress = r.progress ? `Question ${r.progress.current}/${r.progress.total}` : undefined;
    if (progress && !r.text.includes(progress)) parts.push(`(${progress})`);
    for (const b of r.blocks) parts.push(block(b, ansi));
    if (r.blocks.length === 0 && !r.cards?.length && r.text) parts.push(r.text);
    for (const c of r.cards ?? []) parts.push(cardText(c, ansi, numbering));
    const own = (r.buttons ?? []).map((b) => `${numbering.n++}) ${b.label}`);
    if (own.length > 0) parts.push(own.join('\n'));
    out.push(parts.join('\n\n'));
  }
  return out.join('\n\n');
}
