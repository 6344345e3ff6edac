/**
 * Configuration (SPEC §9): nothing is required, defaults are the documented ones, and a bad
 * variable stops the server with a message that names it (without echoing a secret).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

describe('defaults (npm start needs no configuration)', () => {
  it('an empty environment gives the documented defaults and every channel but the web off', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      retentionDays: 30,
      logLevel: 'info',
      trustProxy: false,
      web: { allowedOrigins: [], rateLimitPerMinute: 60 },
      town: {},
      observatory: {},
    });
    expect(config.telegram).toBeUndefined();
    expect(config.slack).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
  });

  it('empty strings count as unset (FOO= lines in .env files)', () => {
    const config = loadConfig({
      PORT: '',
      TELEGRAM_BOT_TOKEN: '',
      WEB_ALLOWED_ORIGINS: ' ',
      LOG_LEVEL: '',
    });
    expect(config.port).toBe(3000);
    expect(config.telegram).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });
});

describe('values are parsed once, typed', () => {
  it('reads every variable of SPEC §9', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/var/lib/ccv',
      REDIS_URL: 'redis://cache:6379/0',
      PUBLIC_URL: 'https://assistant.ville-sens.fr/',
      TOWN_NAME: 'Sens',
      TOWN_REGION: 'Bourgogne-Franche-Comté',
      WEB_ALLOWED_ORIGINS: 'https://www.ville-sens.fr, https://sens.example:8443',
      WEB_RATE_LIMIT_PER_MINUTE: '0',
      RETENTION_DAYS: '7',
      OBSERVATORY_TOKEN: 'a-long-enough-token-123',
      OBSERVATORY_SALT: 'salt-salt-salt-salt',
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'true',
      TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi',
      TELEGRAM_WEBHOOK_SECRET: 'my_secret-1',
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
    });
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/var/lib/ccv',
      dataDirWaitSeconds: 120,
      redisUrl: 'redis://cache:6379/0',
      redisKeyPrefix: 'clic:sens:',
      publicUrl: 'https://assistant.ville-sens.fr',
      town: { name: 'Sens', region: 'Bourgogne-Franche-Comté' },
      web: {
        allowedOrigins: ['https://www.ville-sens.fr', 'https://sens.example:8443'],
        rateLimitPerMinute: 0,
      },
      retentionDays: 7,
      observatory: { token: 'a-long-enough-token-123', salt: 'salt-salt-salt-salt' },
      logLevel: 'warn',
      trustProxy: true,
      telegram: {
        botToken: '123456:ABC-def_ghi',
        webhookSecret: 'my_secret-1',
        mode: 'webhook',
        apiRoot: 'http://127.0.0.1:8081',
      },
      slack: {
        signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
        botToken: 'xoxb-1-2-abc',
        apiUrl: 'http://127.0.0.1:9999/api/',
      },
    });
  });

  it('WEB_ALLOWED_ORIGINS=* allows any origin', () => {
    expect(loadConfig({ WEB_ALLOWED_ORIGINS: '*' }).web.allowedOrigins).toBe('*');
  });

  it('Telegram polling needs no webhook secret; Slack is off until both its settings are set', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_MODE: 'polling' }).telegram).toEqual({
      botToken: '1:a',
      mode: 'polling',
    });
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toBeUndefined();
  });
});

describe('REDIS_KEY_PREFIX: one deployment per prefix (issue 20)', () => {
  it('defaults to the town, else the Telegram bot, else clic:', () => {
    expect(loadConfig({ TOWN_NAME: 'Saint-Étienne-du-Rouvray' }).redisKeyPrefix).toBe(
      'clic:saint-etienne-du-rouvray:',
    );
    const bot = { TELEGRAM_BOT_TOKEN: '7012345678:AAH-x', TELEGRAM_MODE: 'polling' };
    expect(loadConfig(bot).redisKeyPrefix).toBe('clic:tg7012345678:');
    expect(loadConfig({ ...bot, TOWN_NAME: 'Dole' }).redisKeyPrefix).toBe('clic:dole:');
    expect(loadConfig({}).redisKeyPrefix).toBe('clic:');
  });

  it('an explicit prefix wins and always ends with a colon', () => {
    expect(loadConfig({ REDIS_KEY_PREFIX: 'clic', TOWN_NAME: 'Sens' }).redisKeyPrefix).toBe(
      'clic:',
    );
    expect(loadConfig({ REDIS_KEY_PREFIX: 'prod:sens:' }).redisKeyPrefix).toBe('prod:sens:');
  });
});

describe('a bad variable is named in a clear message', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['DATA_DIR_WAIT_SECONDS', { DATA_DIR_WAIT_SECONDS: '-1' }, /DATA_DIR_WAIT_SECONDS must be/],
    ['REDIS_KEY_PREFIX', { REDIS_KEY_PREFIX: 'clic sens' }, /REDIS_KEY_PREFIX must be/],
    ['REDIS_KEY_PREFIX', { REDIS_KEY_PREFIX: 'a*' }, /REDIS_KEY_PREFIX must be/],
    ['REDIS_KEY_PREFIX', { REDIS_KEY_PREFIX: 'x'.repeat(65) }, /REDIS_KEY_PREFIX must be/],
    ['PORT', { PORT: 'abc' }, /PORT must be an integer from 0 to 65535 \(got "abc"\)/],
    ['PORT', { PORT: '70000' }, /PORT must be/],
    ['PORT', { PORT: '80.5' }, /PORT must be/],
    ['WEB_RATE_LIMIT_PER_MINUTE', { WEB_RATE_LIMIT_PER_MINUTE: '-1' }, /0 turns the limits off/],
    ['RETENTION_DAYS', { RETENTION_DAYS: '0' }, /RETENTION_DAYS must be a whole number of days/],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of fatal, error, warn, info/],
    ['TELEGRAM_MODE', { TELEGRAM_MODE: 'hook' }, /TELEGRAM_MODE must be webhook or polling/],
    [
      'WEB_ALLOWED_ORIGINS',
      { WEB_ALLOWED_ORIGINS: 'ville-sens.fr' },
      /WEB_ALLOWED_ORIGINS must be a comma-separated list/,
    ],
    ['WEB_ALLOWED_ORIGINS', { WEB_ALLOWED_ORIGINS: 'https://ville.fr/page' }, /origins only/],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://x.fr' }, /PUBLIC_URL must be an http\(s\) URL/],
    ['REDIS_URL', { REDIS_URL: 'http://cache:6379' }, /REDIS_URL must be a redis:\/\//],
    ['TELEGRAM_API_ROOT', { TELEGRAM_API_ROOT: 'nope' }, /TELEGRAM_API_ROOT must be/],
    ['SLACK_API_URL', { SLACK_API_URL: 'nope' }, /SLACK_API_URL must be/],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }, /TRUST_PROXY must be true or false/],
    ['OBSERVATORY_TOKEN', { OBSERVATORY_TOKEN: 'short' }, /OBSERVATORY_TOKEN must be at least 16/],
    [
      'TELEGRAM_BOT_TOKEN',
      { TELEGRAM_BOT_TOKEN: 'not a token' },
      /TELEGRAM_BOT_TOKEN must be a bot token/,
    ],
    [
      'TELEGRAM_WEBHOOK_SECRET',
      { TELEGRAM_BOT_TOKEN: '1:abc' },
      /TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_MODE is webhook/,
    ],
    ['TELEGRAM_WEBHOOK_SECRET', { TELEGRAM_WEBHOOK_SECRET: 'has space' }, /1 to 256 characters/],
    [
      'SLACK_BOT_TOKEN',
      { SLACK_BOT_TOKEN: 'xoxp-user' },
      /SLACK_BOT_TOKEN must be a bot token starting with xoxb-/,
    ],
  ];
  for (const [variable, env, message] of cases) {
    it(`${variable}=${JSON.stringify(Object.values(env)[0])}`, () => {
      const error = errorOf(env);
      expect(error.variable).toBe(variable);
      expect(error.message).toMatch(/^Invalid configuration: /);
      expect(error.message).toMatch(message);
    });
  }

  it('never echoes a secret value', () => {
    const error = errorOf({ TELEGRAM_BOT_TOKEN: 'super secret value' });
    expect(error.message).not.toContain('super secret value');
    expect(errorOf({ REDIS_URL: 'http://user:pass@host' }).message).not.toContain('pass');
  });
});

describe('main', () => {
  it('prints the bad variable and exits 1 without starting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccv-main-'));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH ?? '', PORT: 'trois-mille', DATA_DIR: dir },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        'Invalid configuration: PORT must be an integer from 0 to 65535',
      );
      expect(result.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a TOWN_REGION that names no region of the guide, and says which', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccv-main-'));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH ?? '', TOWN_REGION: 'Atlantide', DATA_DIR: dir, PORT: '0' },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('TOWN_REGION="Atlantide" names no region of the guide');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when REDIS_URL points at no Redis server, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccv-main-'));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          PATH: process.env.PATH ?? '',
          REDIS_URL: 'redis://127.0.0.1:1',
          DATA_DIR: dir,
          PORT: '0',
        },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('REDIS_URL is set, but the Redis server cannot be reached');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
