/**
 * What the widget shows for a wire reply, read from the widget's own renderer
 * (adapters/web/widget/dom.ts `renderBotMessage`) on a minimal in-memory document: the few DOM
 * calls it makes (createElement, createTextNode, append, textContent, attributes). The contract
 * suite thereby compares what a visitor reads, not a copy of the widget's layout rules; the real
 * browser is covered by test/web/widget.browser.test.ts.
 */
import type { WebReply } from '../../adapters/web/render.js';
import { renderBotMessage } from '../../adapters/web/widget/dom.js';
import type { Shown } from './content.js';

/** A text node or an element of the fake document. */
type FakeNode = FakeText | FakeElement;

class FakeText {
  constructor(readonly data: string) {}
  get textContent(): string {
    return this.data;
  }
}

class FakeElement {
  readonly children: FakeNode[] = [];
  readonly dataset: Record<string, string> = {};
  readonly attributes: Record<string, string> = {};
  className = '';
  type = '';
  href = '';
  target = '';
  rel = '';
  constructor(readonly tagName: string) {}
  get textContent(): string {
    return this.children.map((c) => c.textContent).join('');
  }
  set textContent(text: string) {
    this.children.length = 0;
    this.children.push(new FakeText(text));
  }
  append(...nodes: FakeNode[]): void {
    this.children.push(...nodes);
  }
  setAttribute(name: string, value: string): void {
    this.attributes[name] = value;
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeElement(tag),
  createTextNode: (text: string) => new FakeText(text),
};

/** Lines a reader reads (paragraphs, list items, card titles) and the buttons, in order. */
function walk(node: FakeNode, shown: { lines: string[]; buttons: string[] }): void {
  if (node instanceof FakeText) return;
  if (node.tagName === 'button') shown.buttons.push(node.textContent);
  else if (['p', 'li', 'h3'].includes(node.tagName)) shown.lines.push(node.textContent);
  else for (const child of node.children) walk(child, shown);
}

/** One wire reply as the widget shows it. */
export function shownInWidget(reply: WebReply): Shown {
  const g = globalThis as { document?: unknown };
  const previous = g.document;
  g.document = fakeDocument;
  try {
    const shown = { lines: [] as string[], buttons: [] as string[] };
    walk(renderBotMessage(reply) as unknown as FakeElement, shown);
    return { text: shown.lines.join('\n'), buttons: shown.buttons };
  } finally {
    g.document = previous;
  }
}
