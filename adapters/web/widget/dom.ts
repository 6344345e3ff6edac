/**
 * Builds the DOM of assistant and visitor messages. Every text goes in through `textContent`
 * (never `innerHTML`), links keep only http(s), mailto and tel, and buttons are real `<button>`
 * elements, so whatever a reply or a visitor contains is shown as text.
 */
import type { WebReply } from '../render.js';

type Span = { text: string; bold?: boolean; italic?: boolean; href?: string };
type ButtonSpec = { label: string; action: string };

/** Creates an element with a class and optional text (as text, never markup). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const SAFE_HREF = /^(https?:\/\/|mailto:|tel:)/i;

function spans(parent: HTMLElement, list: readonly Span[]): void {
  for (const s of list) {
    let node: HTMLElement | Text;
    if (s.href && SAFE_HREF.test(s.href)) {
      const a = el('a', undefined, s.text);
      a.href = s.href;
      if (/^https?:/i.test(s.href)) {
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
      }
      node = a;
    } else {
      node = document.createTextNode(s.text);
    }
    if (s.italic) {
      const em = el('em');
      em.append(node);
      node = em;
    }
    if (s.bold) {
      const strong = el('strong');
      strong.append(node);
      node = strong;
    }
    parent.append(node);
  }
}

/** Choice buttons; `context` (a card title) completes generic labels for screen readers. */
function buttons(list: readonly ButtonSpec[], className: string, context?: string): HTMLElement {
  const box = el('div', className);
  for (const b of list) {
    const button = el('button', 'choice', b.label);
    button.type = 'button';
    button.dataset.action = b.action;
    // « Voir la fiche » three times is ambiguous out of context: the name starts with the
    // visible label (WCAG 2.5.3) and adds the card's title.
    if (context) button.setAttribute('aria-label', `${b.label} : ${context}`);
    box.append(button);
  }
  return box;
}

/** One assistant message: paragraphs, lists, cards, then its choices. */
export function renderBotMessage(reply: WebReply): HTMLElement {
  const box = el('div', 'msg bot');
  const body = el('div', 'bubble');
  const progressLabel = reply.progress
    ? `Question ${reply.progress.current}/${reply.progress.total}`
    : undefined;
  if (progressLabel && !reply.text.includes(progressLabel)) {
    body.append(el('p', 'progress', progressLabel));
  }
  // `text` is the fallback of everything below: shown only when nothing else would show it
  // (a card-only reply is said by its cards, as on every other channel).
  const blocks =
    reply.blocks.length || reply.cards?.length
      ? reply.blocks
      : [{ type: 'paragraph' as const, spans: [{ text: reply.text }] }];
  for (const block of blocks) {
    if (block.type === 'paragraph') {
      const p = el('p');
      spans(p, block.spans);
      body.append(p);
    } else {
      const list = el(block.ordered ? 'ol' : 'ul');
      for (const item of block.items) {
        const li = el('li');
        spans(li, item);
        list.append(li);
      }
      body.append(list);
    }
  }
  box.append(body);
  for (const card of reply.cards ?? []) {
    const c = el('div', 'card');
    c.append(el('h3', 'card-title', card.title));
    if (card.subtitle) c.append(el('p', 'card-subtitle', card.subtitle));
    for (const line of card.lines) {
      const p = el('p');
      spans(p, line);
      c.append(p);
    }
    if (card.buttons?.length) c.append(buttons(card.buttons, 'choices card-choices', card.title));
    box.append(c);
  }
  if (reply.buttons?.length) box.append(buttons(reply.buttons, 'choices'));
  return box;
}

/** One visitor message, always as text. */
export function renderUserMessage(text: string): HTMLElement {
  const box = el('div', 'msg user');
  box.append(el('p', 'bubble', text));
  return box;
}

/** A short notice from the widget itself (network trouble, erased conversation…). */
export function renderNotice(text: string): HTMLElement {
  return el('p', 'notice', text);
}

/** The plain text a screen reader should hear for a reply (text, then the choices offered). */
export function spokenText(reply: WebReply): string {
  const choices = [
    ...(reply.cards ?? []).map((c) => c.title),
    ...(reply.buttons ?? []).map((b) => b.label),
  ];
  return choices.length ? `${reply.text} Choix : ${choices.join(', ')}.` : reply.text;
}
