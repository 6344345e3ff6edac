/**
 * Neutral reply → widget JSON, and the small rate limiter: what reaches the browser is safe
 * and what a visitor sees after a reload reads naturally.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../adapters/web/rate-limit.js';
import { renderTranscript, renderWebReply } from '../../adapters/web/render.js';
import { makeReply } from '../../src/reply/build.js';

describe('renderWebReply', () => {
  it('keeps http(s), mailto and tel links and turns any other href into plain text', () => {
    const reply = makeReply({
      blocks: [
        {
          type: 'paragraph',
          spans: [
            { text: 'site', href: 'https://www.banquedesterritoires.fr' },
            { text: 'mail', href: 'mailto:contact@example.fr' },
            { text: 'piège', href: 'javascript:alert(1)' },
            { text: 'data', href: 'data:text/html,<b>x</b>' },
          ],
        },
      ],
    });
    const spans = renderWebReply(reply).blocks[0];
    expect(spans).toEqual({
      type: 'paragraph',
      spans: [
        { text: 'site', href: 'https://www.banquedesterritoires.fr' },
        { text: 'mail', href: 'mailto:contact@example.fr' },
        { text: 'piège' },
        { text: 'data' },
      ],
    });
  });

  it('always carries text, and buttons as {label, action} (SPEC §6)', () => {
    const web = renderWebReply(
      makeReply({
        blocks: [{ type: 'paragraph', spans: [{ text: 'Oui ?' }] }],
        buttons: [{ label: 'Oui', action: 'ans:yes@1' }],
      }),
    );
    expect(web).toEqual({
      text: 'Oui ?',
      blocks: [{ type: 'paragraph', spans: [{ text: 'Oui ?' }] }],
      buttons: [{ label: 'Oui', action: 'ans:yes@1' }],
    });
  });
});

describe('renderTranscript', () => {
  it('shows a pressed button by its label, and drops an action whose label is unknown', () => {
    const bot = makeReply({
      blocks: [],
      buttons: [{ label: 'Commerçant·e', action: 'aud:commercant' }],
    });
    const out = renderTranscript([
      { from: 'bot', at: '2026-01-01T00:00:00Z', replies: [bot] },
      { from: 'user', at: '2026-01-01T00:00:01Z', action: 'aud:commercant' },
      { from: 'user', at: '2026-01-01T00:00:02Z', action: 'obj:unknown' },
      { from: 'user', at: '2026-01-01T00:00:03Z', text: '<b>bonjour</b>' },
    ]);
    expect(out.filter((m) => m.from === 'user').map((m) => m.text)).toEqual([
      'Commerçant·e',
      '<b>bonjour</b>',
    ]);
  });
});

describe('createMemoryRateLimiter', () => {
  it('allows `limit` hits per window, then says how long to wait, then allows again', async () => {
    let now = 1_000_000;
    const limiter = createMemoryRateLimiter({ limit: 2, windowMs: 60_000, now: () => now });
    expect((await limiter.hit('a')).ok).toBe(true);
    expect((await limiter.hit('a')).ok).toBe(true);
    now += 15_000;
    expect(await limiter.hit('a')).toEqual({ ok: false, retryAfterSeconds: 45 });
    expect((await limiter.hit('b')).ok).toBe(true);
    now += 45_000;
    expect((await limiter.hit('a')).ok).toBe(true);
  });
});
