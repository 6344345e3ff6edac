/** The logger (src/logger.ts): JSON lines, no message text, user ids or secrets (SPEC §7). */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON with a level name and redacts text, user ids, chat ids and secrets', async () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    log.info(
      {
        key: 'telegram:abc',
        text: 'je vends des chaussures',
        userRef: '42',
        userId: 'U123',
        chatId: 987,
        token: 'bot-token',
        message: { text: 'secret message', chatId: 5 },
        config: { botToken: '123:ABC', signingSecret: 's3cr3t' },
        req: { headers: { authorization: 'Bearer x', 'x-telegram-bot-api-secret-token': 'tg' } },
      },
      'turn',
    );
    await new Promise((resolve) => setImmediate(resolve));
    const line = lines[0];
    expect(line).toMatchObject({ level: 'info', msg: 'turn', key: 'telegram:abc' });
    const raw = JSON.stringify(lines);
    for (const leaked of [
      'chaussures',
      '"42"',
      'U123',
      '987',
      'bot-token',
      'secret message',
      '123:ABC',
      's3cr3t',
      'Bearer',
      '"tg"',
    ]) {
      expect(raw).not.toContain(leaked);
    }
    expect(line?.text).toBe('[redacted]');
  });

  it('says nothing at level silent (tests)', async () => {
    const { lines, destination } = capture();
    createLogger({ level: 'silent', destination }).error({ code: 'x' }, 'boom');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
  });

  it('respects the level', async () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'warn', destination });
    log.info('hidden');
    log.warn('shown');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });
});
