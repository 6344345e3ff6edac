/**
 * The widget in a real browser (SPEC §6, §10): Debian's Chromium driven by playwright-core
 * against the real server (real dialogues, SQLite in a temp dir) listening on 127.0.0.1. What a
 * visitor does with the keyboard only, what a screen reader is told, and an axe-core scan with
 * zero WCAG 2.1 A/AA violations on a desktop and on a 360×640 phone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../scripts/build-widget.js';
import { type ComposedApp, composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createSqliteStore } from '../../src/storage/sqlite.js';
import { AXE_SOURCE, CHROMIUM, CHROMIUM_ARGS } from '../browser.js';

let server: ComposedApp;
let baseUrl = '';
let dataDir = '';
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  // The widget is built here, as part of the test's setup (no manual step).
  const built = await buildWidget();
  expect(built.gzipBytes).toBeLessThanOrEqual(15 * 1024);
  dataDir = mkdtempSync(join(tmpdir(), 'ccv-browser-data-'));
  const config = loadConfig({ TOWN_NAME: 'Sens', WEB_RATE_LIMIT_PER_MINUTE: '1000' });
  server = await composeApp(config, {
    engine: createDialogueEngine(),
    store: createSqliteStore({ dir: dataDir }),
    logger: createLogger({ level: 'silent' }),
    widgetFile: built.file,
  });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh browser profile (its own user-data-dir) for each test. */
async function openBrowser(
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page }> {
  const profile = mkdtempSync(join(tmpdir(), 'ccv-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
  });
  cleanups.push(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  // The widget must never call a third party: fail any request that leaves our server.
  const outside: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(baseUrl) || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  cleanups.push(() => expect(outside).toEqual([]));
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** The element that has the focus, looking inside the widget's shadow root. */
async function focused(page: Page): Promise<{ tag: string; text: string; label: string | null }> {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return {
      tag: active?.tagName.toLowerCase() ?? '',
      text: (active?.textContent ?? '').trim(),
      label: active?.getAttribute('aria-label') ?? null,
    };
  });
}

/** Presses `key` until the focused element matches, like a keyboard user looking for a control. */
async function tabTo(
  page: Page,
  match: (f: { tag: string; text: string }) => boolean,
  key = 'Tab',
  max = 60,
) {
  for (let i = 0; i < max; i++) {
    if (match(await focused(page))) return;
    await page.keyboard.press(key);
  }
  throw new Error(`never reached the control (last focus: ${JSON.stringify(await focused(page))})`);
}

const widget = (page: Page) => page.locator('clic-centre-ville');
const botMessages = (page: Page) => page.locator('clic-centre-ville .msg.bot');

async function openWithKeyboard(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await widget(page).locator('.launcher').waitFor();
  await tabTo(page, (f) => f.tag === 'button' && f.text === 'Assistant commerces');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await focused(page)).tag).toBe('input');
  await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0);
}

describe('the widget in Chromium', () => {
  it('a visitor reaches a fiche with the keyboard only, then finds the conversation after a reload', async () => {
    const { page } = await openBrowser();
    await openWithKeyboard(page);
    await expect(page.title()).resolves.toBe('Ville de Sens — commerces du centre-ville');
    await expect
      .poll(() => widget(page).locator('[aria-live="polite"]').textContent())
      .toContain('Vous êtes');

    // From the text field, back to the « Commerçant·e » button of the welcome message.
    await tabTo(page, (f) => f.text === 'Commerçant·e', 'Shift+Tab');
    await page.keyboard.press('Enter');
    // The focus lands on the first choice of the answer: the « Je souhaite… » menu.
    await expect
      .poll(async () => (await focused(page)).text)
      .toBe('Comprendre les enjeux du numérique');
    await tabTo(page, (f) => f.text === 'Être trouvé·e et me faire connaître');
    await page.keyboard.press('Space');
    await expect.poll(async () => (await focused(page)).text).toBe('Voir la fiche');
    expect((await focused(page)).label).toBe(
      'Voir la fiche : Référencement et communication sur les médias sociaux',
    );
    await page.keyboard.press('Enter');
    const fiche = botMessages(page).last();
    await expect
      .poll(() => fiche.locator('h3').first().textContent())
      .toBe('Référencement et communication sur les médias sociaux');
    await expect.poll(() => fiche.textContent()).toContain('Guide p.');
    // The new message was announced politely.
    await expect
      .poll(() => widget(page).locator('[aria-live="polite"]').textContent())
      .toContain('Référencement et communication sur les médias sociaux');

    // Escape closes the panel and gives the focus back to the launcher.
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await focused(page)).text).toBe('Assistant commerces');
    await expect(widget(page).locator('.launcher').getAttribute('aria-expanded')).resolves.toBe(
      'false',
    );

    // Reload: the same conversation comes back (its id is in localStorage, the transcript on the server).
    const id = await page.evaluate(
      () => Object.entries(localStorage).find(([k]) => k.startsWith('ccv:'))?.[1],
    );
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await page.reload();
    await widget(page).locator('.launcher').waitFor();
    await page.keyboard.press('Tab');
    await tabTo(page, (f) => f.text === 'Assistant commerces');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => widget(page).locator('.msg.user').allTextContents())
      .toEqual(['Commerçant·e', 'Être trouvé·e et me faire connaître', 'Voir la fiche']);
    await expect
      .poll(() => botMessages(page).last().locator('h3').first().textContent())
      .toBe('Référencement et communication sur les médias sociaux');
    const after = await page.evaluate(
      () => Object.entries(localStorage).find(([k]) => k.startsWith('ccv:'))?.[1],
    );
    expect(after).toBe(id);
  });

  it('shows markup typed by a visitor as text, with no dialog and no image', async () => {
    const { page } = await openBrowser();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await openWithKeyboard(page);
    const before = await botMessages(page).count();
    const hostile = '<img src=x onerror=alert(1)>';
    await page.keyboard.type(hostile);
    await page.keyboard.press('Enter');
    await expect.poll(() => widget(page).locator('.msg.user').last().textContent()).toBe(hostile);
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(before);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(
      await page.evaluate(
        () =>
          document.querySelector('clic-centre-ville')?.shadowRoot?.querySelectorAll('img').length,
      ),
    ).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('a 503 (the store is away) says « le service reprend dans un instant », keeps the typed text, and « Réessayer » sends it', async () => {
    const { page } = await openBrowser();
    await openWithKeyboard(page);
    const before = await botMessages(page).count();
    // The server is briefly unavailable for the next message, as it answers while Redis is away.
    let refused = 0;
    await page.route('**/api/web/conversations/*/messages', async (route) => {
      if (refused > 0) return route.continue();
      refused++;
      return route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '2' },
        body: JSON.stringify({
          error: 'unavailable',
          message: 'Désolé, le service reprend dans un instant. Réessayez dans quelques secondes.',
        }),
      });
    });
    await page.keyboard.type('diagnostic');
    await page.keyboard.press('Enter');
    const notice = widget(page).locator('.notice').last();
    await expect.poll(() => notice.textContent()).toContain('le service reprend dans un instant');
    // What the visitor typed is back in the field; the focus is on « Réessayer ».
    await expect.poll(() => widget(page).locator('input').inputValue()).toBe('diagnostic');
    await expect.poll(async () => (await focused(page)).text).toBe('Réessayer');
    await page.keyboard.press('Enter');
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(before);
    expect(refused).toBe(1);
    // Sent once, shown once; the field is free again and the notice is gone.
    await expect
      .poll(() => widget(page).locator('.msg.user').allTextContents())
      .toEqual(['diagnostic']);
    expect(await widget(page).locator('input').inputValue()).toBe('');
    expect(await widget(page).getByRole('button', { name: 'Réessayer' }).count()).toBe(0);
  });

  it('« Effacer » erases the conversation on the server and starts a new one', async () => {
    const { page } = await openWithKeyboardPage();
    const id = await page.evaluate(
      () => Object.entries(localStorage).find(([k]) => k.startsWith('ccv:'))?.[1],
    );
    await widget(page)
      .getByRole('button', { name: 'Effacer la conversation et mes données' })
      .click();
    await expect
      .poll(() => widget(page).locator('.notice').first().textContent())
      .toBe('Conversation effacée : rien n’est conservé.');
    const res = await fetch(`${baseUrl}/api/web/conversations/${id}`);
    expect(res.status).toBe(404);
    await expect
      .poll(() =>
        page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith('ccv:'))?.[1]),
      )
      .not.toBe(id);
  });

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: '360×640 phone', width: 360, height: 640 },
  ]) {
    it(`has zero axe-core WCAG 2.1 A/AA violations with the widget open (${viewport.name})`, async () => {
      const { page } = await openBrowser({ width: viewport.width, height: viewport.height });
      await openWithKeyboard(page);
      // Show cards and choices too, not just the welcome.
      await widget(page).getByRole('button', { name: 'Commerçant·e' }).click();
      await widget(page).getByRole('button', { name: 'Vendre par de nouveaux canaux' }).click();
      await expect.poll(() => widget(page).locator('.card').count()).toBeGreaterThan(0);
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run: (
                ctx: unknown,
                opts: unknown,
              ) => Promise<{
                violations: { id: string; impact: string; nodes: { target: unknown }[] }[];
              }>;
            };
          }
        ).axe;
        const result = await axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          targets: v.nodes.map((n) => JSON.stringify(n.target)),
        }));
      });
      expect(violations).toEqual([]);
      // The panel fits the screen: nothing to scroll sideways on a phone.
      const box = await widget(page).locator('.panel').boundingBox();
      expect(box?.width ?? 0).toBeLessThanOrEqual(viewport.width);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
    });
  }
});

async function openWithKeyboardPage(): Promise<{ page: Page }> {
  const { page } = await openBrowser();
  await openWithKeyboard(page);
  return { page };
}
