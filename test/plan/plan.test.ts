/**
 * « Mon plan d'action » (issue 19) through the real server: the link given after each result,
 * the page it opens (its figures, its charts, its headers), and the rules that keep it private —
 * it follows a redone diagnostic, and is 404 after « oublier mes données », after expiry, for a
 * restarted conversation and for any guessed or altered token, in the same time.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PLAN_UNAVAILABLE_TEXT } from '../../src/plan/links.js';
import { SCALE } from '../../src/plan/svg.js';
import { createPlanSealer } from '../../src/plan/token.js';
import type { Reply } from '../../src/reply/model.js';
import {
  BAKER,
  type PlanServer,
  pathOf,
  planLinkOf,
  planServer,
  SECRET,
  svgElements,
} from './helpers.js';

let current: PlanServer | undefined;
afterEach(async () => {
  await current?.server.close();
  current = undefined;
});

async function open(env: Record<string, string> = {}): Promise<PlanServer> {
  current = await planServer(env);
  return current;
}

async function get(s: PlanServer, url: string) {
  return s.server.app.inject({ method: 'GET', url: url.startsWith('http') ? pathOf(url) : url });
}

/** The first `<svg …>…</svg>` after `marker` in `html`. */
function svgAfter(html: string, marker: string): string {
  const from = html.indexOf(marker);
  expect(from).toBeGreaterThan(-1);
  const start = html.indexOf('<svg', from);
  return html.slice(start, html.indexOf('</svg>', start) + 6);
}

const TOWN_45 = ['80', '45', '30', 'Voir la feuille de route', 'Bourgogne-Franche-Comté'];

describe('the token', () => {
  it('names the conversation it sealed, and nothing else opens', () => {
    const sealer = createPlanSealer(SECRET);
    const token = sealer.seal({ key: 'telegram:42', createdAt: 1_764_756_000_000 });
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(sealer.open(token)).toEqual({ key: 'telegram:42', createdAt: 1_764_756_000_000 });
    // One conversation, one link; another creation time (a restarted conversation), another.
    expect(sealer.seal({ key: 'telegram:42', createdAt: 1_764_756_000_000 })).toBe(token);
    expect(sealer.seal({ key: 'telegram:42', createdAt: 1_764_756_000_001 })).not.toBe(token);
    // A long key (a Slack team and user) still opens.
    const slack = sealer.seal({ key: `slack:${'T'.repeat(40)}:${'U'.repeat(40)}`, createdAt: 5 });
    expect(sealer.open(slack)?.key).toBe(`slack:${'T'.repeat(40)}:${'U'.repeat(40)}`);
    const raw = Buffer.from(token, 'base64url');
    raw[20] = (raw[20] ?? 0) ^ 1;
    expect(sealer.open(raw.toString('base64url'))).toBeUndefined();
    expect(createPlanSealer('another-secret-of-32-characters!').open(token)).toBeUndefined();
    expect(sealer.open('')).toBeUndefined();
    expect(sealer.open('../../etc/passwd')).toBeUndefined();
    expect(sealer.open('A'.repeat(5000))).toBeUndefined();
  });
});

describe('the link in the conversation', () => {
  it('comes once, right after the merchant result and before the consent question', async () => {
    const s = await open();
    const replies = await s.play('baker', 'diagnostic-commercant', BAKER);
    const url = planLinkOf(replies);
    expect(url).toMatch(/^https:\/\/clic\.ville-exemple\.fr\/plan\/[A-Za-z0-9_-]+$/);
    const at = replies.findIndex((r) => (r.links ?? []).length > 0);
    expect(replies[at]?.text).toContain('Votre plan d’action a sa page');
    // The plain text carries the URL too, for channels that only show text.
    expect(replies[at]?.text).toContain(url);
    expect(replies[at - 1]?.text).toMatch(/Pour plus tard|Votre niveau numérique estimé/);
    expect(replies[at + 1]?.text).toContain('Acceptez-vous que vos réponses soient comptées');
    expect(replies.filter((r) => r.links).length).toBe(1);
    // Answering the consent question does not give a second link.
    expect(planLinkOf(await s.say('baker', 'non'))).toBeUndefined();
  });

  it('comes after the town’s roadmap', async () => {
    const s = await open();
    const replies = await s.play('mairie', 'diagnostic-territoire', TOWN_45);
    expect(planLinkOf(replies)).toBeDefined();
    expect(replies.at(-1)?.links?.[0]?.label).toBe('Mon plan d’action');
  });

  it('without PUBLIC_URL, says clearly why there is no link', async () => {
    const s = await open({ PUBLIC_URL: '' });
    const replies = await s.play('baker', 'diagnostic-commercant', BAKER);
    expect(planLinkOf(replies)).toBeUndefined();
    expect(replies.map((r) => r.text)).toContain(PLAN_UNAVAILABLE_TEXT);
  });

  it('is filled in the transcript the widget restores', async () => {
    const s = await open();
    const replies = await s.play('w1', 'diagnostic-commercant', BAKER, 'web');
    const url = planLinkOf(replies);
    const entries = await s.server.runtime.transcript('web:w1');
    const restored = (entries ?? []).flatMap((e) => (e.replies ?? []) as Reply[]);
    expect(planLinkOf(restored)).toBe(url);
    expect(JSON.stringify(entries)).not.toContain('plan.invalid');
  });
});

describe('the merchant’s page', () => {
  it('shows her level on the gauge, her prerequisites, what to launch first and the guide as source', async () => {
    const s = await open();
    const url = planLinkOf(await s.play('baker', 'diagnostic-commercant', BAKER)) as string;
    const res = await get(s, url);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('<html lang="fr">');
    // P1 only → « faible » (SPEC §4), labelled as our reading.
    expect(html).toContain('Niveau estimé : <strong>faible</strong>');
    expect(html).toContain('notre lecture');
    const gauge = svgAfter(html, 'Niveau estimé');
    expect(svgElements(gauge, 'rect', 'seg-current')).toEqual([
      expect.objectContaining({ 'data-level': '1' }),
    ]);
    expect(gauge).toContain('Niveau estimé : faible, 2e sur 4 (de très faible à fort).');
    expect(html).toMatch(/✓ Acquis<\/span> Être sensibilisé/);
    expect(html).toMatch(/✗ Manquant<\/span> Avoir initié une démarche marketing/);
    // The prerequisite that unlocks « moyen » comes first (issue 16): a presence online.
    expect(html).toContain(
      'Votre première étape : Référencement et communication sur les médias sociaux',
    );
    // The fiche with its level, cost, example and page in the guide (fiche 2, p. 20), the pages
    // said to come from the sommaire.
    expect(html).toContain('fiche 2, p.&nbsp;20');
    expect(html).toContain('Au Goûter Breton');
    expect(html).toContain('numéros de page sont pris d’après le sommaire');
    expect(html).toContain('Financements mentionnés dans le guide (p.&nbsp;44)');
    expect(html).toContain('14 millions d&#39;euros');
    expect(html).toContain('Dynamiser le commerce de centre-ville en un clic ?');
    expect(html).toContain('Mis à jour le 3 décembre 2026');
    expect(html).toContain('Alimentaire — Sens');
  });

  it('is private: no-store, no-referrer, noindex, a CSP without inline script', async () => {
    const s = await open();
    const url = planLinkOf(await s.play('baker', 'diagnostic-commercant', BAKER)) as string;
    const res = await get(s, url);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toContain('noindex');
    expect(res.body).toContain('<meta name="robots" content="noindex, nofollow">');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // Every script is a file of ours; none is inline.
    const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toContain('src="/plan/imprimer.js"');
      expect(body).toBe('');
    }
    const script = await get(s, '/plan/imprimer.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.body).toContain('window.print()');
    // No URL of another host: nothing to fetch elsewhere (the guide's site is a plain link).
    const urls = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    for (const u of urls)
      expect(
        u.startsWith('/') ||
          u.startsWith('mailto:') ||
          /^https:\/\/www\.banquedesterritoires\.fr/.test(u),
      ).toBe(true);
    expect(res.body).not.toMatch(/<link\b|<img\b|<iframe\b|@import|url\(/);
  });

  it('shows the town as text, never as markup', async () => {
    const s = await open();
    const replies = await s.play('x', 'diagnostic-commercant', [
      ...BAKER.slice(0, 5),
      'Sens <b>"Yonne" & co</b>',
    ]);
    const url = planLinkOf(replies) as string;
    const html = (await get(s, url)).body;
    expect(html).not.toContain('<b>"');
    expect(html).toContain('Sens &lt;b&gt;&quot;Yonne&quot; &amp; co&lt;/b&gt;');
  });
});

describe('the town’s page', () => {
  it('draws each share to scale, with the guide’s 60 % line on « actifs sur le web »', async () => {
    const s = await open();
    const url = planLinkOf(await s.play('mairie', 'diagnostic-territoire', TOWN_45)) as string;
    const html = (await get(s, url)).body;
    expect(html).toContain(
      'Bilan « Commerçant individuel » : <span class="status">à renforcer</span>',
    );
    const chart = svgAfter(html, 'Bilan « Commerçant individuel »');
    const bars = svgElements(chart, 'rect', 'bar');
    // Web-active = the higher of social networks (45) and Google listing (30), guide p. 39.
    expect(bars.map((b) => [Number(b['data-share']), Number(b.width)])).toEqual([
      [45, 45 * SCALE],
      [80, 80 * SCALE],
      [45, 45 * SCALE],
      [30, 30 * SCALE],
    ]);
    const tracks = svgElements(chart, 'rect', 'track');
    expect(tracks.every((t) => Number(t.width) === 100 * SCALE)).toBe(true);
    const lines = svgElements(chart, 'line', 'threshold');
    expect(lines[0]).toMatchObject({ 'data-threshold': '60', x1: String(60 * SCALE) });
    expect(lines[1]).toMatchObject({ 'data-threshold': '100', x1: String(100 * SCALE) });
    // The same figures in words (the chart's title) and in a table.
    expect(chart).toContain('Actifs sur le web : 45 % (seuil du guide : 60 %)');
    expect(html).toMatch(
      /<th scope="row">Actifs sur le web<\/th><td class="num">45&nbsp;%<\/td>|<th scope="row">Actifs sur le web<\/th><td class="num">45\u00a0%<\/td>/,
    );
    // Training first, the roadmap with its ★ steps and the next one, the regional contact.
    expect(html.indexOf('À lancer d’abord')).toBeLessThan(html.indexOf('Formation en ligne'));
    expect(html).toContain('★');
    expect(html).toContain('← prochaine étape');
    expect(html).toContain('bourgogne-franche-comte@caissedesdepots.fr');
  });
});

describe('the page’s lifetime', () => {
  it('follows a redone diagnostic: pending while answering, then the new result', async () => {
    const s = await open();
    const url = planLinkOf(await s.play('baker', 'diagnostic-commercant', BAKER)) as string;
    await s.say('baker', 'non');
    expect((await get(s, url)).body).toContain('Niveau estimé : <strong>faible</strong>');
    await s.play('baker', 'diagnostic-commercant', ['boulangerie', 'oui']);
    const pending = await get(s, url);
    expect(pending.statusCode).toBe(200);
    expect(pending.body).toContain('Diagnostic en cours');
    const redone = await s.play('baker', 'diagnostic-commercant', [
      'boulangerie',
      'oui',
      'oui',
      'oui',
      'oui',
    ]);
    // The new link and the old one show the same, new result (P1–P4 → « fort »).
    const again = planLinkOf(redone) as string;
    for (const link of [url, again])
      expect((await get(s, link)).body).toContain('Niveau estimé : <strong>fort</strong>');
  });

  it('is 404 after « oublier mes données », and stays so for a new conversation on the same key', async () => {
    const s = await open();
    const url = planLinkOf(await s.play('baker', 'diagnostic-commercant', BAKER)) as string;
    const asked = await s.say('baker', 'oublier mes données');
    await s.press('baker', asked, 'Oui, tout effacer');
    const gone = await get(s, url);
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toContain('Cette page n’existe plus');
    expect(gone.headers['cache-control']).toBe('no-store');
    s.clock.now += 60_000;
    await s.play('baker', 'diagnostic-commercant', BAKER);
    expect((await get(s, url)).statusCode).toBe(404);
  });

  it('is 404 once the conversation expired (RETENTION_DAYS)', async () => {
    const s = await open({ RETENTION_DAYS: '2' });
    const url = planLinkOf(await s.play('baker', 'diagnostic-commercant', BAKER)) as string;
    s.clock.now += 86_400_000;
    expect((await get(s, url)).statusCode).toBe(200);
    s.clock.now += 86_400_000 + 1;
    expect((await get(s, url)).statusCode).toBe(404);
  });

  it('answers a guessed or altered token with 404, in the same time', async () => {
    const s = await open();
    const url = planLinkOf(await s.play('baker', 'diagnostic-commercant', BAKER)) as string;
    const token = url.slice(url.lastIndexOf('/') + 1);
    const altered = (i: number) => {
      const raw = Buffer.from(token, 'base64url');
      raw[i % raw.length] = (raw[i % raw.length] ?? 0) ^ 0x40;
      return raw.toString('base64url');
    };
    const guessed = () => randomBytes(Buffer.from(token, 'base64url').length).toString('base64url');
    for (const t of [guessed(), altered(3), altered(30), 'abc', 'x'.repeat(600)])
      expect((await get(s, `/plan/${t}`)).statusCode).toBe(404);
    // Median time of many guessed tokens against many altered real ones, measured in turns so
    // that a busy machine slows both alike: same path, no store read for either.
    const once = async (t: string) => {
      const started = process.hrtime.bigint();
      await get(s, `/plan/${t}`);
      return Number(process.hrtime.bigint() - started);
    };
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number;
    const times: { guessed: number[]; altered: number[] } = { guessed: [], altered: [] };
    for (let i = 0; i < 50; i++) await once(guessed()); // warm-up
    for (let i = 0; i < 400; i++) {
      times.guessed.push(await once(guessed()));
      times.altered.push(await once(altered(i)));
    }
    const [g, a] = [median(times.guessed), median(times.altered)];
    expect(Math.abs(g - a) / Math.max(g, a)).toBeLessThan(0.35);
  });
});
