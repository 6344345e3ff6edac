/**
 * Issue 18 in a real browser (Chromium via playwright-core, as test/web/widget.browser.test.ts):
 * a visitor asks the widget for a person and agrees; the town team's reply, sent in the Slack
 * thread, appears without a reload (the widget polls), with its markup as text; the widget
 * reloaded later shows it again, and a reply sent while the widget was closed shows when it
 * reopens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../scripts/build-widget.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser.js';
import { createHandoverHarness, type HandoverHarness, TEAM_CHANNEL } from './harness.js';

let t: HandoverHarness;
let baseUrl = '';
const profile = mkdtempSync(join(tmpdir(), 'ccv-chromium-handover-'));

beforeAll(async () => {
  const built = await buildWidget();
  t = await createHandoverHarness({ widgetFile: built.file });
  await t.app.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await t?.close();
  rmSync(profile, { recursive: true, force: true });
});

const widget = (page: Page) => page.locator('clic-centre-ville');

describe('the widget with the town team', () => {
  it('shows the team’s reply without a reload, as text, and again after a reload', async () => {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${baseUrl}/`);
      await widget(page).locator('.launcher').click();
      await expect.poll(() => widget(page).locator('.msg.bot').count()).toBeGreaterThan(0);
      await widget(page).locator('input').fill('Je voudrais parler à quelqu’un');
      await widget(page).locator('input').press('Enter');
      await widget(page).getByRole('button', { name: 'Oui, transmettre' }).click();
      await expect.poll(() => t.calls('chat.postMessage').length, { timeout: 5000 }).toBe(1);

      const id = await page.evaluate(
        () => Object.entries(localStorage).find(([k]) => k.startsWith('ccv:'))?.[1],
      );
      const stored = (await t.store.coordination.recall(`handover:web:${id}`)) as {
        slack: { ts: string };
      };
      await t.slackEvent({
        type: 'message',
        channel: TEAM_CHANNEL,
        user: 'U0CLAIRE',
        text: 'Bonjour, &lt;b&gt;je regarde&lt;/b&gt; !',
        ts: '1780000100.000001',
        thread_ts: stored.slack.ts,
        event_ts: '1780000100.000001',
      });
      const reply = widget(page).locator('.msg.bot').filter({ hasText: 'je regarde' });
      await expect.poll(() => reply.count(), { timeout: 10_000 }).toBe(1);
      expect(await reply.textContent()).toContain('<b>je regarde</b>');
      expect(await reply.locator('b').count()).toBe(0);

      // Closed and reopened: the reply is there.
      await page.reload();
      await widget(page).locator('.launcher').click();
      await expect
        .poll(() => widget(page).locator('.msg.bot').filter({ hasText: 'je regarde' }).count())
        .toBe(1);

      // The team answers while the widget is closed (the page left): shown when it reopens.
      await page.goto('about:blank');
      await t.slackEvent({
        type: 'message',
        channel: TEAM_CHANNEL,
        user: 'U0CLAIRE',
        text: 'Je vous appelle lundi.',
        ts: '1780000200.000001',
        thread_ts: stored.slack.ts,
        event_ts: '1780000200.000001',
      });
      await expect
        .poll(async () => JSON.stringify(await t.store.coordination.recall(`handover:web:${id}`)))
        .toContain('Je vous appelle lundi.');
      await page.goto(`${baseUrl}/`);
      await widget(page).locator('.launcher').click();
      const later = widget(page).locator('.msg.bot').filter({ hasText: 'Je vous appelle lundi.' });
      await expect.poll(() => later.count(), { timeout: 10_000 }).toBe(1);
      expect(await later.textContent()).toContain('Claire (équipe de la ville)');
      await expect
        .poll(() => widget(page).locator('.msg.bot').filter({ hasText: 'je regarde' }).count())
        .toBe(1);
    } finally {
      await context.close();
    }
  }, 60_000);
});
