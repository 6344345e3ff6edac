/**
 * At-least-once delivery on Telegram (issue 20): the turn is stored with its replies (outbox) in
 * one write; a send that fails leaves them there; a « restarted » process (a new runtime and
 * channel on the same SQLite file) sends them when Telegram delivers the update again, or when
 * its sweep runs — exactly once, without running the turn again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/storage/sqlite.js';
import type { Store } from '../../src/storage/types.js';
import { CHAT_ID, commandUpdate } from './fixtures/updates.js';
import { BOT_ID, createHarness, type Harness, sentTexts } from './helpers.js';

const KEY = `telegram:${BOT_ID}:${CHAT_ID}`;
/** A flood wait longer than the channel waits out: the send fails for now. */
const FLOOD_WAIT = {
  status: 429,
  body: {
    ok: false,
    error_code: 429,
    description: 'Too Many Requests: retry after 3600',
    parameters: { retry_after: 3600 },
  },
};

let dir: string;
let clock: number;
let store: Store;
const opened: Harness[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ccv-outbox-'));
  clock = Date.now();
  store = createSqliteStore({ dir, now: () => clock });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A process: a runtime and a Telegram channel over the shared store (no automatic sweep). */
async function boot(): Promise<Harness> {
  const h = await createHarness({ store, outboxSweepMs: 0 });
  opened.push(h);
  return h;
}

async function revision(): Promise<number | undefined> {
  return (await store.conversations.get(KEY))?.revision;
}

describe('the crash window: turn stored, send failed, process restarted', () => {
  it('the redelivered update gets the stored reply once, and the turn is not run again', async () => {
    const first = await boot();
    first.failNext('sendMessage', FLOOD_WAIT);
    const update = commandUpdate(7001, '/start');
    const failed = await first.post(update);
    // The replies are not delivered: a non-2xx makes Telegram deliver the update again.
    expect(failed.statusCode).toBe(503);
    expect(await revision()).toBe(1);
    await first.close();
    opened.splice(0);

    const second = await boot();
    const again = await second.post(update);
    expect(again.statusCode).toBe(200);
    const texts = sentTexts(second.callsOf('sendMessage'));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/Bonjour/);
    expect(await revision()).toBe(1); // the dialogue did not move on a second time

    // Yet another delivery (our 200 was lost): nothing is sent twice.
    second.reset();
    expect((await second.post(update)).statusCode).toBe(200);
    expect(second.callsOf('sendMessage')).toHaveLength(0);
    expect(await revision()).toBe(1);
  });

  it('without a redelivery, the new process’s sweep sends what was left, once', async () => {
    const first = await boot();
    first.failNext('sendMessage', FLOOD_WAIT);
    const update = commandUpdate(7002, '/start');
    expect((await first.post(update)).statusCode).toBe(503);
    await first.close();
    opened.splice(0);

    const second = await boot();
    const sweep = () => second.channel.sweepOutbox();
    // Too early: the sweep waits for the retry time of the failed attempt.
    expect(await sweep()).toBe(0);
    expect(second.callsOf('sendMessage')).toHaveLength(0);
    clock += 60_000;
    expect(await sweep()).toBe(1);
    expect(sentTexts(second.callsOf('sendMessage'))).toHaveLength(1);
    clock += 60_000;
    expect(await sweep()).toBe(0);
    expect((await second.post(update)).statusCode).toBe(200);
    expect(second.callsOf('sendMessage')).toHaveLength(1);
    expect(await revision()).toBe(1);
  });

  it('a person who blocked the bot: given up at once (403), no redelivery loop', async () => {
    const h = await boot();
    h.failNext('sendMessage', {
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    const response = await h.post(commandUpdate(7003, '/start'));
    expect(response.statusCode).toBe(200);
    expect(h.logs.some((l) => l.obj.code === 'outbox-abandoned')).toBe(true);
    clock += 3_600_000;
    expect(await h.channel.sweepOutbox()).toBe(0);
  });
});
