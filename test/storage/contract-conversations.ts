/**
 * The conversations port contract (`Store.conversations`, `.transcripts`, `.outbox`): what every
 * backend (memory, SQLite, Redis) must do with conversations, their transcripts and the turn's
 * outbox. Timings use the real clock so that a store with server-side TTLs passes too.
 */
import { describe, expect, it } from 'vitest';
import {
  type Envelope,
  MAX_TRANSCRIPT_ENTRIES,
  type TranscriptEntry,
} from '../../src/storage/envelope.js';
import { HOUR, openStores, type StoreFactory, sleep } from './contract-harness.js';

/** An envelope for tests; times default to « now », expiry to one hour later. */
export function sampleEnvelope(overrides: Partial<Envelope> = {}): Envelope {
  const at = Date.now();
  return {
    key: 'web:conv-1',
    channel: 'web',
    userRef: 'user-1',
    flowId: 'clic',
    flowVersion: 1,
    revision: 1,
    snapshot: { value: 'accueil', context: { answers: [1, 2] } },
    choices: [['obj:o5', 'Vendre par de nouveaux canaux']],
    createdAt: at,
    updatedAt: at,
    expiresAt: at + HOUR,
    ...overrides,
  };
}

/** Registers the conversations contract for one backend. */
export function runConversationsContract(name: string, factory: StoreFactory): void {
  describe(`conversations contract: ${name}`, () => {
    const open = openStores(factory);

    describe('conversations', () => {
      it('returns nothing for an unknown key', async () => {
        const store = await open();
        expect(await store.conversations.get('web:nobody')).toBeUndefined();
      });

      it('gives back what was written, as data equal to the envelope', async () => {
        const store = await open();
        const envelope = sampleEnvelope();
        expect(await store.conversations.put(envelope, 0)).toBe(true);
        const stored = await store.conversations.get(envelope.key);
        expect(stored?.revision).toBe(1);
        expect(stored?.data).toEqual(envelope);
      });

      it('does not share objects with the caller', async () => {
        const store = await open();
        const envelope = sampleEnvelope();
        await store.conversations.put(envelope, 0);
        const first = await store.conversations.get(envelope.key);
        try {
          (first?.data as { flowId: string }).flowId = 'changed';
        } catch {
          // frozen: a store may hand back, read-only, the envelope it wrote itself
        }
        const second = await store.conversations.get(envelope.key);
        expect((second?.data as Envelope | undefined)?.flowId).toBe('clic');
      });

      it('compare-and-set: a write against a stale revision is refused and changes nothing', async () => {
        const store = await open();
        await store.conversations.put(sampleEnvelope(), 0);
        expect(await store.conversations.put(sampleEnvelope({ revision: 2, flowId: 'a' }), 1)).toBe(
          true,
        );
        // A second writer that also read revision 1 loses.
        expect(await store.conversations.put(sampleEnvelope({ revision: 2, flowId: 'b' }), 1)).toBe(
          false,
        );
        // Creating over an existing conversation is a conflict too.
        expect(await store.conversations.put(sampleEnvelope({ revision: 1, flowId: 'c' }), 0)).toBe(
          false,
        );
        const stored = await store.conversations.get('web:conv-1');
        expect(stored?.revision).toBe(2);
        expect((stored?.data as Envelope | undefined)?.flowId).toBe('a');
      });

      it('refuses an envelope whose revision does not move forward', async () => {
        const store = await open();
        await expect(store.conversations.put(sampleEnvelope({ revision: 1 }), 1)).rejects.toThrow(
          RangeError,
        );
      });

      it('deletes one conversation', async () => {
        const store = await open();
        await store.conversations.put(sampleEnvelope(), 0);
        expect(await store.conversations.delete('web:conv-1')).toBe(true);
        expect(await store.conversations.get('web:conv-1')).toBeUndefined();
        expect(await store.conversations.delete('web:conv-1')).toBe(false);
        // Once deleted, the key can be created again from revision 0.
        expect(await store.conversations.put(sampleEnvelope(), 0)).toBe(true);
      });

      it('an expired conversation is gone, can be created again, and purge removes only it', async () => {
        const store = await open();
        const past = Date.now() - 1000;
        await store.conversations.put(
          sampleEnvelope({
            key: 'web:old',
            createdAt: past - HOUR,
            updatedAt: past - HOUR,
            expiresAt: past,
          }),
          0,
        );
        await store.conversations.put(sampleEnvelope({ key: 'web:live' }), 0);
        expect(await store.conversations.get('web:old')).toBeUndefined();
        const purged = await store.conversations.purgeExpired(new Date());
        expect(purged).toBeLessThanOrEqual(1);
        expect(await store.conversations.get('web:live')).toBeDefined();
        expect(await store.conversations.put(sampleEnvelope({ key: 'web:old' }), 0)).toBe(true);
      });

      it('erase-by-user removes every conversation of that user and nothing of others', async () => {
        const store = await open();
        await store.conversations.put(
          sampleEnvelope({ key: 'telegram:1', channel: 'telegram', userRef: '42' }),
          0,
        );
        await store.conversations.put(
          sampleEnvelope({ key: 'telegram:2', channel: 'telegram', userRef: '42' }),
          0,
        );
        await store.conversations.put(
          sampleEnvelope({ key: 'telegram:3', channel: 'telegram', userRef: '43' }),
          0,
        );
        // Same reference on another channel is another person.
        await store.conversations.put(
          sampleEnvelope({ key: 'slack:4', channel: 'slack', userRef: '42' }),
          0,
        );
        expect(await store.conversations.deleteByUser('telegram', '42')).toBe(2);
        expect(await store.conversations.get('telegram:1')).toBeUndefined();
        expect(await store.conversations.get('telegram:2')).toBeUndefined();
        expect(await store.conversations.get('telegram:3')).toBeDefined();
        expect(await store.conversations.get('slack:4')).toBeDefined();
      });

      it('erase-by-user also removes what was remembered for that user', async () => {
        const store = await open();
        await store.coordination.remember('idem:a', ['réponse'], HOUR, {
          channel: 'web',
          userRef: 'u1',
        });
        await store.coordination.remember('idem:b', ['autre'], HOUR, {
          channel: 'web',
          userRef: 'u2',
        });
        await store.conversations.deleteByUser('web', 'u1');
        expect(await store.coordination.recall('idem:a')).toBeUndefined();
        expect(await store.coordination.recall('idem:b')).toEqual(['autre']);
      });
    });

    describe('transcripts', () => {
      const said = (text: string): TranscriptEntry => ({
        from: 'user',
        at: '2026-03-01T10:00:00.000Z',
        text,
      });
      const texts = (entries: readonly unknown[]) =>
        entries.map((e) => (e as TranscriptEntry).text);
      const expiresAt = () => Date.now() + HOUR;

      it('gives back appended entries in order, as copies, and nothing for an unknown key', async () => {
        const store = await open();
        await store.conversations.put(sampleEnvelope(), 0);
        await store.transcripts.append('web:conv-1', [said('un'), said('deux')], {
          expiresAt: expiresAt(),
          replace: true,
        });
        await store.transcripts.append('web:conv-1', [said('trois')], { expiresAt: expiresAt() });
        const entries = await store.transcripts.read('web:conv-1');
        expect(texts(entries)).toEqual(['un', 'deux', 'trois']);
        (entries[0] as { text: string }).text = 'changé';
        expect(texts(await store.transcripts.read('web:conv-1'))[0]).toBe('un');
        expect(await store.transcripts.read('web:nobody')).toEqual([]);
      });

      it(`keeps only the last ${MAX_TRANSCRIPT_ENTRIES} entries; replace starts afresh`, async () => {
        const store = await open();
        await store.conversations.put(sampleEnvelope(), 0);
        for (let i = 0; i < MAX_TRANSCRIPT_ENTRIES + 10; i += 2) {
          await store.transcripts.append('web:conv-1', [said(`m${i}`), said(`m${i + 1}`)], {
            expiresAt: expiresAt(),
          });
        }
        const entries = await store.transcripts.read('web:conv-1');
        expect(entries).toHaveLength(MAX_TRANSCRIPT_ENTRIES);
        expect(texts(entries)[0]).toBe('m10');
        expect(texts(entries).at(-1)).toBe(`m${MAX_TRANSCRIPT_ENTRIES + 9}`);
        await store.transcripts.append('web:conv-1', [said('neuf')], {
          expiresAt: expiresAt(),
          replace: true,
        });
        expect(texts(await store.transcripts.read('web:conv-1'))).toEqual(['neuf']);
      });

      it('a turn writes its entries with the envelope, in one write: a conflict writes neither', async () => {
        const store = await open();
        expect(await store.conversations.put(sampleEnvelope(), 0, { entries: [said('un')] })).toBe(
          true,
        );
        expect(
          await store.conversations.put(sampleEnvelope({ revision: 2 }), 1, {
            entries: [said('deux')],
          }),
        ).toBe(true);
        // A stale writer loses: its entries are not appended either.
        expect(
          await store.conversations.put(sampleEnvelope({ revision: 2 }), 1, {
            entries: [said('perdu')],
          }),
        ).toBe(false);
        expect(texts(await store.transcripts.read('web:conv-1'))).toEqual(['un', 'deux']);
        // Replace: a discarded record's transcript goes.
        await store.conversations.put(sampleEnvelope({ revision: 3 }), 2, {
          entries: [said('trois')],
          replace: true,
        });
        expect(texts(await store.transcripts.read('web:conv-1'))).toEqual(['trois']);
        // Without entries the transcript is kept as it is.
        await store.conversations.put(sampleEnvelope({ revision: 4 }), 3);
        expect(texts(await store.transcripts.read('web:conv-1'))).toEqual(['trois']);
      });

      it('goes with its conversation: delete, erase-by-user (only that user), expiry', async () => {
        const store = await open();
        const mine = sampleEnvelope({ key: 'web:a', userRef: 'u1' });
        const also = sampleEnvelope({ key: 'web:b', userRef: 'u1' });
        const theirs = sampleEnvelope({ key: 'web:c', userRef: 'u2' });
        for (const e of [mine, also, theirs]) {
          await store.conversations.put(e, 0);
          await store.transcripts.append(e.key, [said(e.key)], { expiresAt: e.expiresAt });
        }
        expect(await store.conversations.delete('web:a')).toBe(true);
        expect(await store.transcripts.read('web:a')).toEqual([]);
        // Created again on the same key: the old transcript does not come back.
        await store.conversations.put(mine, 0);
        expect(await store.transcripts.read('web:a')).toEqual([]);
        expect(await store.conversations.deleteByUser('web', 'u1')).toBe(2);
        expect(await store.transcripts.read('web:b')).toEqual([]);
        expect(texts(await store.transcripts.read('web:c'))).toEqual(['web:c']);

        const soon = Date.now() + 150;
        const short = sampleEnvelope({ key: 'web:d', expiresAt: soon });
        await store.conversations.put(short, 0);
        await store.transcripts.append('web:d', [said('bientôt parti')], { expiresAt: soon });
        expect(texts(await store.transcripts.read('web:d'))).toEqual(['bientôt parti']);
        await sleep(250);
        expect(await store.transcripts.read('web:d')).toEqual([]);
        // A new conversation on an expired key, before or after the purge, starts with none.
        await store.conversations.put(sampleEnvelope({ key: 'web:d' }), 0);
        expect(await store.transcripts.read('web:d')).toEqual([]);
        await store.conversations.delete('web:d');
        await store.conversations.purgeExpired(new Date());
        await store.conversations.put(sampleEnvelope({ key: 'web:d' }), 0);
        expect(await store.transcripts.read('web:d')).toEqual([]);
      });
    });

    describe('outbox', () => {
      const turn = (id: string, key = 'telegram:42:7', userRef = '42:7') => ({
        envelope: sampleEnvelope({ key, channel: 'telegram', userRef }),
        outbox: {
          id,
          replies: [{ text: 'Bonjour', blocks: [] }],
          target: { chat: 7 },
          leaseMs: 200,
          ttlMs: HOUR,
        },
      });

      it('is written with the turn, and absent when the turn was not stored', async () => {
        const store = await open();
        const a = turn('telegram:42:1');
        expect(await store.conversations.put(a.envelope, 0, undefined, a.outbox)).toBe(true);
        // A refused compare-and-set stores no outbox either.
        const b = turn('telegram:42:2');
        expect(await store.conversations.put(b.envelope, 0, undefined, b.outbox)).toBe(false);
        expect(await store.outbox.claim('telegram:42:2', 1000)).toEqual({ state: 'absent' });
        // The writer holds the lease: nobody else claims it meanwhile.
        expect(await store.outbox.claim('telegram:42:1', 1000)).toEqual({ state: 'busy' });
      });

      it('a lease that runs out lets another claim it; settled done, it stays as a record', async () => {
        const store = await open();
        const a = turn('telegram:42:3');
        await store.conversations.put(a.envelope, 0, undefined, a.outbox);
        expect(await store.outbox.due('telegram', 10)).toEqual([]);
        await sleep(250);
        expect(await store.outbox.due('telegram', 10)).toEqual(['telegram:42:3']);
        expect(await store.outbox.due('slack', 10)).toEqual([]);
        const claim = await store.outbox.claim('telegram:42:3', 5000);
        expect(claim.state).toBe('claimed');
        if (claim.state !== 'claimed') return;
        expect(claim.entry).toMatchObject({
          key: 'telegram:42:7',
          channel: 'telegram',
          userRef: '42:7',
          replies: a.outbox.replies,
          target: { chat: 7 },
          sent: 0,
          attempts: 2,
        });
        await store.outbox.settle('telegram:42:3', 1, { done: false, retryAt: Date.now() + HOUR });
        // Failed: the lease ended (a redelivery may claim it), the sweep waits for retryAt.
        expect(await store.outbox.due('telegram', 10)).toEqual([]);
        const again = await store.outbox.claim('telegram:42:3', 5000);
        expect(again.state === 'claimed' && again.entry.sent).toBe(1);
        await store.outbox.settle('telegram:42:3', 2, { done: true });
        expect(await store.outbox.claim('telegram:42:3', 5000)).toEqual({ state: 'done' });
        expect(await store.outbox.due('telegram', 10)).toEqual([]);
      });

      it('is erased with its user, and only theirs', async () => {
        const store = await open();
        const mine = turn('telegram:42:4', 'telegram:42:7', '42:7');
        const theirs = turn('telegram:42:5', 'telegram:42:8', '42:8');
        await store.conversations.put(mine.envelope, 0, undefined, mine.outbox);
        await store.conversations.put(theirs.envelope, 0, undefined, theirs.outbox);
        await store.conversations.deleteByUser('telegram', '42:7');
        expect(await store.outbox.claim('telegram:42:4', 10)).toEqual({ state: 'absent' });
        expect(await store.outbox.claim('telegram:42:5', 10)).toEqual({ state: 'busy' });
      });
    });
  });
}
