/**
 * `/centreville bilan` (SPEC §6, issue 9): the observatory's figures for TOWN_NAME or the town
 * typed after the command, as Block Kit within Slack's limits, each share with a text bar and n;
 * below 5 merchants, no figure.
 */
import { describe, expect, it } from 'vitest';
import type { BilanRequest } from '../../adapters/slack/channel.js';
import { parseSlashText } from '../../adapters/slack/inbound.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import {
  buttonsOf,
  closeSlackAppsAfterEach,
  createSlackTestApp,
  lastHook,
  shownText,
} from '../slack/helpers.js';
import { cohort, createStack, storeClock } from './helpers.js';

closeSlackAppsAfterEach();

async function appWithRecords() {
  const store = createMemoryStore({ now: storeClock });
  // The test app's TOWN_NAME is « Dole ».
  for (const r of cohort(23, 13, 'P3', { town: 'Dole' })) await store.records.put(r);
  for (const r of cohort(6, 6, 'P3', { town: 'Saint-Claude' })) await store.records.put(r);
  for (const r of cohort(2, 2, 'P3', { town: 'Arbois' })) await store.records.put(r);
  const { observatory } = createStack(store);
  const asked: (string | undefined)[] = [];
  const bilan = (request?: BilanRequest) => {
    asked.push(request?.town);
    return observatory.bilan({ ...(request?.town ? { town: request.town } : {}) });
  };
  return { app: await createSlackTestApp({ bilan }), asked };
}

describe('/centreville bilan', () => {
  it('TOWN_NAME’s figures with text bars and n, the thresholds, then the way on', async () => {
    const { app, asked } = await appWithRecords();
    await app.command('bilan');
    const message = await lastHook(app, 1);
    const text = shownText(message);
    expect(asked).toEqual(['Dole']);
    expect(text).toContain('*Bilan des commerçants de Dole*');
    expect(text).toContain(
      '▓▓▓▓▓▓░░░░ 56,5 % *part des commerçants présents sur le web* (13 sur 23)',
    );
    expect(text).toContain('sous les 60 % du guide (p. 39)');
    expect(text).toContain('23 commerçants');
    expect(buttonsOf(message).map((b) => b.label)).toEqual([
      'Diagnostic du territoire',
      'Ouvrir le menu',
    ]);
  });

  it('the town typed after the command wins: « /centreville bilan Saint-Claude »', async () => {
    const { app, asked } = await appWithRecords();
    await app.command('bilan Saint-Claude');
    const text = shownText(await lastHook(app, 1));
    expect(asked).toEqual(['Saint-Claude']);
    expect(text).toContain('*Bilan des commerçants de Saint-Claude*');
    expect(text).toContain('▓▓▓▓▓▓▓▓▓▓ 100 %');
    expect(text).toContain('validé');
  });

  it('a town with fewer than 5 merchants: no figure, no count', async () => {
    const { app } = await appWithRecords();
    await app.command('bilan Arbois');
    const text = shownText(await lastHook(app, 1));
    expect(text).toContain('à partir de 5 commerçants');
    expect(text).not.toMatch(/\d+ ?%|\b2\b/);
  });

  it('reads « bilan de Sens » and « bilan » alike', () => {
    expect(parseSlashText('bilan')).toEqual({ kind: 'bilan' });
    expect(parseSlashText('bilan de Sens')).toEqual({ kind: 'bilan', town: 'Sens' });
    expect(parseSlashText('observatoire Saint-Julien-du-Sault')).toEqual({
      kind: 'bilan',
      town: 'Saint-Julien-du-Sault',
    });
  });
});
