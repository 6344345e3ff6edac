/**
 * The observatory's page (issue 19): `GET /observatoire/:town` through the real server, behind
 * the API's bearer token or a link signed for one town. It draws the levels, the prerequisites
 * against the guide's lines and the trend per month — and, as the JSON route, shows no figure
 * under 5 merchants, nor a month when one month of the period has fewer than 5.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { renderReplies as renderSlack } from '../../adapters/slack/render.js';
import { slackFactory } from '../../src/app/channels.js';
import { type ComposedApp, composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createObservatory } from '../../src/observatory/index.js';
import { createObservatoryPages, observatoryLinkReply } from '../../src/observatory/page.js';
import { SCALE } from '../../src/plan/svg.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { Store } from '../../src/storage/types.js';
import { catalog, rec, SALT } from '../observatory/helpers.js';
import {
  commandBody,
  HOST as SLACK_HOST,
  SECRET as SLACK_SECRET,
  slackHeaders,
} from '../slack/helpers.js';
import { PUBLIC_URL, SECRET, svgElements } from './helpers.js';

const TOKEN = 'observatory-token-0123456789';
let current: ComposedApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function serve(
  store: Store,
  now = Date.UTC(2026, 2, 20),
  env: Record<string, string> = {},
): Promise<ComposedApp> {
  current = await composeApp(
    loadConfig({ OBSERVATORY_TOKEN: TOKEN, PUBLIC_URL, WEB_RATE_LIMIT_PER_MINUTE: '0', ...env }),
    {
      ...(env.SLACK_BOT_TOKEN ? { channelFactories: [slackFactory] } : {}),
      engine: createDialogueEngine(),
      store,
      logger: createLogger({ level: 'silent' }),
      observatory: createObservatory({ catalog, records: store.records, salt: SALT }),
      planSecret: SECRET,
      now: () => new Date(now),
    },
  );
  return current;
}

const bearer = { authorization: `Bearer ${TOKEN}` };

/** The page without its stylesheet (whose `100%` are not figures). */
const shown = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, '');

/** 6 merchants in February (2 present on the web), 6 in March (4 present on the web). */
async function twoMonths(store: Store) {
  for (let i = 0; i < 6; i++)
    await store.records.put(rec({ answers: i < 2 ? 'yyyn' : 'ynnn', month: '2026-02' }));
  for (let i = 0; i < 6; i++)
    await store.records.put(rec({ answers: i < 4 ? 'yyyy' : 'nnnn', month: '2026-03' }));
}

describe('access', () => {
  it('refuses without the token, with a wrong one, and with a bad or expired signature', async () => {
    const store = createMemoryStore();
    await twoMonths(store);
    const app = (await serve(store)).app;
    const get = (url: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, headers });
    const none = await get('/observatoire/Sens');
    expect(none.statusCode).toBe(401);
    expect(none.body).toContain('Accès réservé');
    expect(shown(none.body)).not.toContain('%');
    expect(none.headers['cache-control']).toBe('no-store');
    expect(none.headers['x-robots-tag']).toContain('noindex');
    expect(
      (await get('/observatoire/Sens', { authorization: 'Bearer nope-nope-nope-nope' })).statusCode,
    ).toBe(401);
    expect((await get('/observatoire/Sens', bearer)).statusCode).toBe(200);

    const pages = createObservatoryPages({
      catalog,
      records: store.records,
      secret: SECRET,
      publicUrl: PUBLIC_URL,
      now: () => Date.UTC(2026, 2, 20),
    });
    const signed = new URL(pages.signedUrl('Sens') as string);
    expect(signed.origin).toBe(PUBLIC_URL);
    expect((await get(`${signed.pathname}${signed.search}`)).statusCode).toBe(200);
    // The signature is for Sens only, and for that expiry only.
    expect((await get(`/observatoire/Auxerre${signed.search}`)).statusCode).toBe(401);
    const sig = signed.searchParams.get('sig') ?? '';
    const exp = Number(signed.searchParams.get('exp'));
    expect((await get(`/observatoire/Sens?exp=${exp + 86_400}&sig=${sig}`)).statusCode).toBe(401);
    expect((await get(`/observatoire/Sens?exp=${exp}&sig=${sig.slice(1)}A`)).statusCode).toBe(401);
    // Expired: the same link eight days later.
    const later = createObservatoryPages({
      catalog,
      records: store.records,
      secret: SECRET,
      now: () => Date.UTC(2026, 2, 28, 1),
    });
    const expired = await later.answer({ town: 'Sens', exp: String(exp), sig });
    expect(expired.status).toBe(401);
  });
});

describe('the figures', () => {
  it('under 5 merchants: no figure, no chart, only the count and why', async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 4; i++) await store.records.put(rec({ answers: 'yyyy' }));
    const res = await (await serve(store)).app.inject({
      method: 'GET',
      url: '/observatoire/Sens',
      headers: bearer,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Pas encore assez de réponses pour Sens');
    expect(res.body).toContain('<strong>4 commerçants comptés</strong> pour l’instant');
    expect(res.body).not.toContain('<svg');
    expect(shown(res.body)).not.toMatch(/\d\s?%|\d&nbsp;%/);
    expect(res.body).not.toContain('<table');
  });

  it('draws the levels, the prerequisites against the guide’s 60 %, and the trend per month', async () => {
    const store = createMemoryStore();
    await twoMonths(store);
    const res = await (await serve(store)).app.inject({
      method: 'GET',
      url: '/observatoire/Sens',
      headers: bearer,
    });
    const html = res.body;
    expect(html).toContain('<strong>12 commerçants</strong> comptés, de février 2026 à mars 2026');
    // Levels: yyyn → moyen (2), ynnn → faible (4), yyyy → fort (4), nnnn → très faible (2).
    const stack = svgElements(html, 'rect', 'stack');
    expect(stack.map((r) => Number(r['data-count']))).toEqual([2, 4, 2, 4]);
    const widths = stack.map((r) => Number(r.width));
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(100 * SCALE, 5);
    expect(widths[1]).toBeCloseTo((4 / 12) * 100 * SCALE, 5);
    // Present on the web (P3): 2 + 4 of 12 = 50 %, drawn against the guide's 60 % line.
    const bars = svgElements(html, 'rect', 'bar');
    const p3 = bars[2];
    expect(Number(p3?.['data-share'])).toBe(50);
    expect(Number(p3?.width)).toBe(50 * SCALE);
    expect(svgElements(html, 'line', 'threshold')[0]).toMatchObject({
      'data-threshold': '60',
      x1: String(60 * SCALE),
    });
    // The trend: February 2 of 6, March 4 of 6.
    const dots = svgElements(html, 'circle', 'dot').map((d) => Number(d['data-value']));
    expect(dots.map((v) => Math.round(v))).toEqual([33, 67]);
    expect(html).toContain('<th scope="row">février 2026</th><td class="num">6</td>');
  });

  it('shows no month while one month of the period has fewer than 5 answers', async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 8; i++) await store.records.put(rec({ answers: 'yyyn', month: '2026-02' }));
    for (let i = 0; i < 3; i++) await store.records.put(rec({ answers: 'yyyy', month: '2026-03' }));
    const res = await (await serve(store)).app.inject({
      method: 'GET',
      url: '/observatoire/Sens',
      headers: bearer,
    });
    expect(res.body).toContain('La tendance s’affichera quand plusieurs mois compteront');
    expect(svgElements(res.body, 'circle', 'dot')).toEqual([]);
  });

  it('is 404 for a town nobody was counted in', async () => {
    const res = await (await serve(createMemoryStore())).app.inject({
      method: 'GET',
      url: '/observatoire/Nulle-part',
      headers: bearer,
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('/centreville bilan', () => {
  it('adds « Voir les graphiques », a link signed for the town that opens its page', async () => {
    nock.disableNetConnect();
    const posted: Record<string, unknown>[] = [];
    nock(SLACK_HOST)
      .post(/^\/commands\//)
      .reply(200, (_uri, body) => {
        posted.push(body as Record<string, unknown>);
        return 'ok';
      });
    const store = createMemoryStore();
    await twoMonths(store);
    const composed = await serve(store, Date.UTC(2026, 2, 20), {
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-1-2',
      SLACK_API_URL: `${SLACK_HOST}/api/`,
    });
    const raw = commandBody('bilan Sens');
    const res = await composed.app.inject({
      method: 'POST',
      url: '/slack/events',
      payload: raw,
      headers: slackHeaders(raw),
    });
    expect(res.statusCode).toBe(200);
    for (let i = 0; i < 50 && posted.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const json = JSON.stringify(posted);
    const url =
      /"url":"(https:\/\/clic\.ville-exemple\.fr\/observatoire\/Sens\?exp=\d+&sig=[\w-]+)"/.exec(
        json,
      )?.[1];
    expect(url).toBeDefined();
    const link = new URL(url as string);
    const page = await composed.app.inject({
      method: 'GET',
      url: `${link.pathname}${link.search}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>12 commerçants</strong>');
    nock.cleanAll();
  });

  it('gives the signed link as a Slack URL button, without « Partager »', () => {
    const url = `${PUBLIC_URL}/observatoire/Sens?exp=1&sig=abc`;
    const [message] = renderSlack([observatoryLinkReply(url)]);
    const actions = message?.blocks.find((b) => b.type === 'actions') as
      | { elements: { url?: string }[] }
      | undefined;
    expect(actions?.elements).toEqual([expect.objectContaining({ url })]);
  });
});
