/** HTML escaping for the server-rendered pages: every text we did not write is shown as text. */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and for double- or single-quoted attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A share as French text: « 45 % », « 12,5 % ». */
export function percent(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return `${String(rounded).replace('.', ',')}\u00a0%`;
}
