/**
 * The plan pages in a real browser (issue 19): Debian's Chromium driven by playwright-core
 * against the real server listening on 127.0.0.1 — zero axe violations (WCAG 2.1 A/AA) for the
 * merchant's and the town's page on a desktop and on a 360 px phone, an A4 PDF of at most 3
 * pages for a merchant with no button in it, a print button that works under the page's CSP, and
 * not one request leaving the server.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AXE_SOURCE, CHROMIUM, CHROMIUM_ARGS } from '../browser.js';
import { rec } from '../observatory/helpers.js';
import { BAKER, type PlanServer, pathOf, planLinkOf, planServer } from './helpers.js';

const TOKEN = 'observatory-token-0123456789';

let s: PlanServer;
let browser: Browser;
let baseUrl = '';
const pages: Record<'merchant' | 'town' | 'observatory', string> = {
  merchant: '',
  town: '',
  observatory: '',
};
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  s = await planServer({ OBSERVATORY_TOKEN: TOKEN }, undefined, true);
  for (let i = 0; i < 12; i++)
    await s.store.records.put(
      rec({
        answers: ['yyyy', 'ynnn', 'yyyn', 'nnnn'][i % 4],
        month: i < 6 ? '2026-10' : '2026-11',
      }),
    );
  await s.server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = s.server.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const merchant = planLinkOf(await s.play('baker', 'diagnostic-commercant', BAKER));
  const town = planLinkOf(
    await s.play('mairie', 'diagnostic-territoire', [
      '80',
      '70',
      '65',
      'Les deux volets (7 questions)',
      '60',
      '20',
      'moyenne',
      'oui',
      'non',
      'non',
      'je ne sais pas',
      'Bourgogne-Franche-Comté',
    ]),
  );
  pages.merchant = `${baseUrl}${pathOf(merchant as string)}`;
  pages.town = `${baseUrl}${pathOf(town as string)}`;
  pages.observatory = `${baseUrl}/observatoire/Sens`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
  });
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

afterAll(async () => {
  await browser?.close();
  await s?.server.close();
});

/** A fresh context whose every request is checked: nothing may leave our server. */
async function openPage(viewport = { width: 1280, height: 800 }): Promise<{
  context: BrowserContext;
  page: Page;
  requested: string[];
}> {
  const context = await browser.newContext({
    viewport,
    extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
  });
  const outside: string[] = [];
  const requested: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requested.push(url);
    if (url.startsWith(baseUrl)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  cleanups.push(async () => {
    await context.close();
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
  });
  return { context, page, requested };
}

async function axeViolations(page: Page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown,
          ) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
}

describe('the plan pages in Chromium', () => {
  for (const kind of ['merchant', 'town', 'observatory'] as const) {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 360, height: 640 },
    ]) {
      it(`the ${kind}’s page has no WCAG 2.1 A/AA violation at ${viewport.width} px, and fits`, async () => {
        const { page, requested } = await openPage(viewport);
        const response = await page.goto(pages[kind]);
        expect(response?.status()).toBe(200);
        expect(await axeViolations(page)).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          viewport.width,
        );
        // The inline stylesheet is allowed by its hash: the title has the page's colour.
        expect(await page.locator('h1').evaluate((h) => getComputedStyle(h).color)).toBe(
          'rgb(11, 79, 150)',
        );
        // Only the page and its print script were asked for.
        expect(requested.map((u) => new URL(u).pathname).sort()).toEqual(
          [new URL(pages[kind]).pathname, '/plan/imprimer.js'].sort(),
        );
      });
    }
  }

  it('prints a merchant’s plan on at most 3 A4 pages, without the button', async () => {
    const { page } = await openPage();
    await page.goto(pages.merchant);
    const button = page.getByRole('button', { name: 'Télécharger en PDF' });
    await expect.poll(() => button.isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await button.isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const text = pdf.toString('latin1');
    const count = (text.match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length;
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThanOrEqual(3);
    // A4 is 595 × 842 points.
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
    expect(Math.round(Number(box?.[1]))).toBe(596);
    expect(Math.round(Number(box?.[2]))).toBe(843);
  });

  it('« Télécharger en PDF » opens the browser’s print, with the page’s CSP in force', async () => {
    const { context, page } = await openPage();
    await context.addInitScript(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed++;
      };
    });
    await page.goto(pages.merchant);
    await page.getByRole('button', { name: 'Télécharger en PDF' }).click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  });

  it('without script, the page reads the same and shows no dead button', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    cleanups.push(() => context.close());
    const page = await context.newPage();
    await page.goto(pages.town);
    await expect(page.getByRole('button', { name: 'Télécharger en PDF' }).count()).resolves.toBe(0);
    await expect(page.locator('h1').textContent()).resolves.toBe('Notre plan d’action numérique');
    expect(await page.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(2);
  });
});
