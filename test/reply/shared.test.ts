import { describe, expect, it } from 'vitest';
import { makeReply, para } from '../../src/reply/build.js';
import {
  derive,
  fragment,
  isShared,
  replyJson,
  share,
  stringifyWithFragments,
  withRepliesJson,
} from '../../src/reply/shared.js';

const reply = () =>
  makeReply({ blocks: [para('Bonjour')], buttons: [{ label: 'Menu', action: 'nav:menu' }] });

describe('shared replies (rendered once, read by every conversation)', () => {
  it('are deep-frozen and registered; others are not', () => {
    const [r] = share([reply()]);
    expect(isShared(r as never)).toBe(true);
    expect(Object.isFrozen(r?.blocks[0])).toBe(true);
    expect(Object.isFrozen(r?.buttons?.[0])).toBe(true);
    expect(isShared(reply())).toBe(false);
  });

  it('derive computes once for a shared reply and every time for another', () => {
    const cache = new WeakMap();
    let calls = 0;
    const fn = () => ++calls;
    const [r] = share([reply()]);
    expect(derive(cache, r as never, fn)).toBe(1);
    expect(derive(cache, r as never, fn)).toBe(1);
    const plain = reply();
    expect(derive(cache, plain, fn)).toBe(2);
    expect(derive(cache, plain, fn)).toBe(3);
  });

  it('writes the same JSON as JSON.stringify, whether the replies are shared or not', () => {
    const [r] = share([reply()]);
    expect(replyJson(r as never)).toBe(JSON.stringify(r));
    const entry = { from: 'bot', at: '2026-03-01T10:00:00.000Z', replies: [r, reply()] };
    expect(JSON.parse(withRepliesJson(entry as never))).toEqual(entry);
    expect(JSON.parse(withRepliesJson({ replies: [] }))).toEqual({ replies: [] });
    const user = { from: 'user', at: '2026-03-01T10:00:00.000Z', text: '<b>"\\u2028' };
    expect(withRepliesJson(user as never)).toBe(JSON.stringify(user));
  });
});

describe('responses written from remembered JSON (the server in production)', () => {
  it('gives exactly what JSON.stringify gives', () => {
    const a = fragment({ text: 'Fiche « Click & collect »', buttons: [{ label: 'Menu' }] });
    const cases: unknown[] = [
      { messages: [a, { text: 'non partagé' }, a], forgotten: true },
      { messages: [], skipped: undefined, n: 1, s: 'é"\\', nested: { list: [a] } },
      { conversationId: 'abc', messages: [null, 3, 'x', a] },
      [a, 1],
      'texte',
      null,
    ];
    for (const value of cases) expect(stringifyWithFragments(value)).toBe(JSON.stringify(value));
    expect(Object.isFrozen(a.buttons[0])).toBe(true);
  });
});
