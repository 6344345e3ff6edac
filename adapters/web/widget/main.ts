/**
 * Entry point of `widget.js`: reads the embedding script tag
 * (`<script src=".../widget.js" data-town="…" data-start="…" data-target="#id" async>`),
 * registers `<clic-centre-ville>` and mounts it. The API is the origin the script came from.
 */
import { ClicCentreVilleElement } from './element.js';

const TAG = 'clic-centre-ville';

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>(
    'script[src*="widget.js"][data-town], script[src*="widget.js"]',
  );
}

function mount(script: HTMLScriptElement | null): void {
  const src = script?.src ? new URL(script.src, location.href) : new URL(location.href);
  const apiBase =
    script?.dataset.api || src.href.replace(/\/widget\.js(?:[?#].*)?$/, '') || src.origin;
  const targetSelector = script?.dataset.target;
  let target: Element | undefined;
  if (targetSelector) {
    try {
      target = document.querySelector(targetSelector) ?? undefined;
    } catch {
      target = undefined;
    }
  }
  const element = document.createElement(TAG) as ClicCentreVilleElement;
  const start = script?.dataset.start;
  const town = script?.dataset.town;
  element.configure({
    apiBase: apiBase.startsWith('http') ? apiBase : src.origin,
    ...(town ? { town } : {}),
    ...(start && /^[a-z0-9][a-z0-9-]{0,63}$/.test(start) ? { start } : {}),
    ...(target ? { target } : {}),
  });
  (target ?? document.body).append(element);
}

if (!customElements.get(TAG)) {
  customElements.define(TAG, ClicCentreVilleElement);
  const script = findScript();
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => mount(script), { once: true });
  } else {
    mount(script);
  }
}
