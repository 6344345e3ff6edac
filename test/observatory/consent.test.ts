/**
 * Consent and erasure end to end (issue 9): a merchant's self-diagnostic through the dialogue
 * engine and the runtime, the observatory wired as `main` wires it, over the memory and SQLite
 * stores. « non » (or nothing clear) stores nothing; « oui » counts once; the same merchant again
 * replaces; « oublier mes données », `/oubli` or the web DELETE remove the contribution.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createSqliteStore } from '../../src/storage/sqlite.js';
import type { Store } from '../../src/storage/types.js';
import { buttonsOf, createStack, DIAGNOSTIC, storeClock, textOf } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'clic-consent-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const stores: [string, () => Store][] = [
  ['memory', () => createMemoryStore({ now: storeClock })],
  ['sqlite', () => createSqliteStore({ dir: join(root, `db-${++n}`), now: storeClock })],
];

describe.each(stores)('consent and erasure (%s store)', (_name, open) => {
  it('the consent question says what is counted, never who, and how to withdraw', async () => {
    const store = open();
    const { user } = createStack(store);
    const amelie = user('telegram', '1001');
    await amelie.start('diagnostic-commercant');
    const replies = await amelie.say(...DIAGNOSTIC);
    const text = textOf(replies);
    expect(text).toContain('Acceptez-vous que vos réponses soient comptées, anonymement');
    expect(text).toContain('la ville, votre secteur, vos 4 réponses, votre niveau et le mois');
    expect(text).toContain('jamais qui vous êtes');
    expect(text).toContain('« oublier mes données »');
    expect(text).toContain('C’est « non » si vous ne répondez pas');
    expect(buttonsOf(replies).map((b) => b.label)).toEqual(
      expect.arrayContaining(['Oui, compter mes réponses', 'Non']),
    );
    // Not answering (yet) is a no: nothing is stored.
    expect(await store.records.listByTown('Sens')).toEqual([]);
    await store.close();
  });

  it.each(['non', 'je ne sais pas', 'bof, on verra', 'peut-être'])(
    '« %s » → nothing stored',
    async (answer) => {
      const store = open();
      const { user } = createStack(store);
      const m = user('telegram', '1002');
      await m.start('diagnostic-commercant');
      await m.say(...DIAGNOSTIC);
      const replies = await m.say(answer);
      expect(textOf(replies)).toContain('rien n’est compté');
      expect(await store.records.listByTown('Sens')).toEqual([]);
      await store.close();
    },
  );

  it('« oui » → counted once; the same merchant again → replaced, not doubled', async () => {
    const store = open();
    const { user, observatory } = createStack(store);
    const m = user('telegram', '1003');
    await m.start('diagnostic-commercant');
    await m.say(...DIAGNOSTIC);
    expect(textOf(await m.say('oui'))).toContain('Vos réponses comptent, anonymement');
    const first = await store.records.listByTown('Sens');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      town: 'Sens',
      sector: 'alimentaire',
      answers: { P1: 'yes', P2: 'yes', P3: 'yes', P4: 'no' },
      level: 'moyen',
      month: '2026-03',
    });
    // She does it again, now with computerised processes: the town is known, consent comes next.
    await m.start('diagnostic-commercant');
    const again = await m.say('alimentaire', 'oui', 'oui', 'oui', 'oui');
    expect(textOf(again)).toContain('dans le bilan des commerçants de Sens');
    await m.say('oui');
    const after = await store.records.listByTown('Sens');
    expect(after).toHaveLength(1);
    expect(after[0]?.level).toBe('fort');
    expect(after[0]?.identity).toBe(first[0]?.identity);
    // Four other merchants: 5 in all, the figures appear with n = 5.
    for (const id of ['2001', '2002', '2003', '2004']) {
      const other = user('telegram', id);
      await other.start('diagnostic-commercant');
      await other.say(...DIAGNOSTIC, 'oui');
    }
    const agg = await observatory.aggregate('sens');
    expect(agg?.status === 'figures' && agg.respondents).toBe(5);
    await store.close();
  });

  it('« oublier mes données » → gone from the aggregates (5 → 4: no figures any more)', async () => {
    const store = open();
    const { user, observatory } = createStack(store);
    const merchants = ['3001', '3002', '3003', '3004', '3005'].map((id) => user('telegram', id));
    for (const m of merchants) {
      await m.start('diagnostic-commercant');
      await m.say(...DIAGNOSTIC, 'oui');
    }
    expect((await observatory.aggregate('Sens'))?.status).toBe('figures');
    const leaving = merchants[0];
    if (!leaving) throw new Error('no merchant');
    const confirm = await leaving.say('oublier mes données');
    expect(textOf(confirm)).toContain('votre contribution anonyme au bilan de votre ville');
    expect(textOf(await leaving.say('oui'))).toContain('C’est fait');
    expect(await store.records.listByTown('Sens')).toHaveLength(4);
    expect((await observatory.aggregate('Sens'))?.status).toBe('too-few');
    await store.close();
  });

  it('the web DELETE and Telegram /oubli reach the observatory through runtime.forget', async () => {
    const store = open();
    const { user, runtime } = createStack(store);
    const visitor = user('web', 'conv-77', 'Sens');
    await visitor.start('diagnostic-commercant');
    // The widget gave the town: no town question, the consent comes right after question 4.
    const replies = await visitor.say('alimentaire', 'oui', 'non', 'non', 'non');
    expect(textOf(replies)).toContain('dans le bilan des commerçants de Sens');
    await visitor.say('oui');
    expect(await store.records.listByTown('Sens')).toHaveLength(1);
    await runtime.forget('web', 'conv-77');
    expect(await store.records.listByTown('Sens')).toHaveLength(0);
    await store.close();
  });

  it('records never contain a raw user id', async () => {
    const store = open();
    const { user } = createStack(store);
    const chatId = '987654321';
    const m = user('telegram', chatId);
    await m.start('diagnostic-commercant');
    await m.say(...DIAGNOSTIC, 'oui');
    const [record] = await store.records.listByTown('Sens');
    const json = JSON.stringify(record);
    expect(json).not.toContain(chatId);
    expect(json).not.toContain('telegram');
    expect(Object.keys(record ?? {}).sort()).toEqual(
      ['answers', 'identity', 'level', 'month', 'sector', 'town', 'townKey'].sort(),
    );
    await store.close();
  });
});

describe('on disk (SQLite): erased means erased', () => {
  it('after « oublier mes données », no file of DATA_DIR holds the chat id any more', async () => {
    const dir = join(root, 'disk');
    const store = createSqliteStore({ dir, now: storeClock });
    const { user } = createStack(store);
    const m = user('telegram', '55501234');
    await m.start('diagnostic-commercant');
    await m.say(...DIAGNOSTIC, 'oui');
    await m.say('oublier mes données', 'oui');
    await store.close();
    const bytes = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('');
    expect(bytes).not.toContain('55501234');
  });
});
