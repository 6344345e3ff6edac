/**
 * Replies shared between conversations: the dialogue renders the guide's static prompts (a fiche,
 * an objective's solutions…) once per profile and hands the same objects to every visitor.
 * `share` deep-freezes them and registers them here, so that what is derived from such a reply —
 * its JSON, an adapter's rendering — can be computed once too: a registered reply never changes.
 * Weak: a reply the dialogue no longer holds goes with what was derived from it.
 */
import type { Reply } from './model.js';

const shared = new WeakSet<Reply>();
const json = new WeakMap<Reply, string>();

function freezeAll<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freezeAll(v);
  }
  return value;
}

/** Deep-freezes replies and registers each as shared; returns them. */
export function share<T extends readonly Reply[]>(replies: T): T {
  freezeAll(replies);
  for (const r of replies) shared.add(r);
  return replies;
}

/** True for a reply registered by {@link share} (deep-frozen, never changes). */
export function isShared(reply: Reply): boolean {
  return shared.has(reply);
}

/**
 * `fn(reply)`, computed once per shared reply and kept in `cache`; computed every time for any
 * other reply. For derivations that depend on the reply alone.
 */
export function derive<T>(cache: WeakMap<Reply, T>, reply: Reply, fn: (reply: Reply) => T): T {
  if (!shared.has(reply)) return fn(reply);
  let value = cache.get(reply);
  if (value === undefined) {
    value = fn(reply);
    cache.set(reply, value);
  }
  return value;
}

/** `JSON.stringify(reply)`, once per shared reply. */
export function replyJson(reply: Reply): string {
  return derive(json, reply, (r) => JSON.stringify(r));
}

/**
 * The JSON of an object with a `replies` array (a transcript entry), its replies through
 * {@link replyJson}: the same value `JSON.stringify` gives, with `replies` written last.
 */
export function withRepliesJson(value: { readonly replies?: readonly Reply[] }): string {
  const { replies, ...rest } = value;
  if (!replies) return JSON.stringify(value);
  const head = JSON.stringify(rest);
  const list = `"replies":[${replies.map(replyJson).join(',')}]`;
  return head === '{}' ? `{${list}}` : `${head.slice(0, -1)},${list}}`;
}

/**
 * JSON texts of frozen objects derived from shared replies (an adapter's wire form of one), by
 * object: a response that carries such an object writes its text instead of serialising it again.
 */
const fragments = new WeakMap<object, string>();

/** Freezes `value` (a plain JSON object that never changes) and remembers its JSON text. */
export function fragment<T extends object>(value: T): T {
  fragments.set(freezeAll(value), JSON.stringify(value));
  return value;
}

/**
 * `JSON.stringify(data)` for a plain JSON object, where the elements of its top-level arrays that
 * were registered with {@link fragment} are written from their remembered text.
 */
export function stringifyWithFragments(data: unknown): string {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return JSON.stringify(data);
  let out = '';
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const text = Array.isArray(value)
      ? `[${value.map((v: unknown) => (v && typeof v === 'object' && fragments.get(v)) || JSON.stringify(v) || 'null').join(',')}]`
      : JSON.stringify(value);
    if (text === undefined) continue;
    out += `${out ? ',' : ''}${JSON.stringify(key)}:${text}`;
  }
  return `{${out}}`;
}
