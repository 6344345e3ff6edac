/**
 * The server's configuration: every environment variable of SPEC §9, parsed once at start-up
 * with zod. Nothing is required (`npm start` runs with no configuration); a bad value throws a
 * ConfigError that names the variable, so an operator knows at once what to fix.
 */
import { z } from 'zod';
import { HoursSyntaxError, type OpeningHours, parseOpeningHours } from './handover/hours.js';

// === Errors

/** A bad environment variable: `variable` is its name, the message says what is expected. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

// === The typed result

/** pino levels accepted by LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One pino level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Telegram settings; present only when TELEGRAM_BOT_TOKEN is set. */
export interface TelegramConfig {
  readonly botToken: string;
  /** Required in webhook mode: without it anyone could post fake updates. */
  readonly webhookSecret?: string;
  readonly mode: 'webhook' | 'polling';
  readonly apiRoot?: string;
}

/** Slack settings; present only when both the signing secret and the bot token are set. */
export interface SlackConfig {
  readonly signingSecret: string;
  readonly botToken: string;
  readonly apiUrl?: string;
}

/**
 * Handover to the town team (issue 18); present only when HANDOVER_SLACK_CHANNEL and Slack are
 * both configured. Off otherwise: the assistant gives the contacts, as before.
 */
export interface HandoverConfig {
  /** The Slack channel ID (C…, G…) where requests are posted. */
  readonly slackChannel: string;
  /** When the team answers (Europe/Paris); undefined = always. */
  readonly hours?: OpeningHours;
  /** After this many minutes without « Je prends », the person is told what to expect. */
  readonly waitMinutes: number;
}

/** Everything the server reads from the environment, typed and defaulted. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /**
   * How long a process waits for another one to release DATA_DIR (a rolling deploy onto one
   * volume) before it exits with a message naming the other process. Seconds.
   */
  readonly dataDirWaitSeconds: number;
  readonly redisUrl?: string;
  /**
   * What every Redis key of this deployment starts with (REDIS_KEY_PREFIX, ending with `:`), so
   * that two towns or bots on one Redis never see each other's data. Default: `clic:` and the
   * town (`clic:sens:`), else the Telegram bot's id (`clic:tg123456:`), else `clic:`.
   */
  readonly redisKeyPrefix: string;
  /** Public base URL without a trailing slash (Telegram webhook, Slack manifest, CORS). */
  readonly publicUrl?: string;
  readonly town: { readonly name?: string; readonly region?: string };
  readonly web: {
    /** Browser origins allowed to call the widget API; `'*'` allows any. */
    readonly allowedOrigins: readonly string[] | '*';
    /** Requests per minute per IP and per conversation; 0 = limits off. */
    readonly rateLimitPerMinute: number;
  };
  readonly retentionDays: number;
  readonly observatory: { readonly token?: string; readonly salt?: string };
  readonly logLevel: LogLevel;
  /** Trust X-Forwarded-For (behind a reverse proxy) so per-IP limits see the visitor's IP. */
  readonly trustProxy: boolean;
  readonly telegram?: TelegramConfig;
  readonly slack?: SlackConfig;
  readonly handover?: HandoverConfig;
}

// === Field parsers (each one knows how to say what it expects)

type Env = Readonly<Record<string, string | undefined>>;

/** Empty strings count as unset: `.env` files and compose files often carry `FOO=`. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseWith<T>(
  env: Env,
  name: string,
  schema: z.ZodType<T>,
  expected: string,
  secret = false,
): T | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const result = schema.safeParse(raw);
  if (!result.success) {
    const shown = secret ? '' : ` (got "${raw.length > 80 ? `${raw.slice(0, 80)}…` : raw}")`;
    throw new ConfigError(name, `must be ${expected}${shown}.`);
  }
  return result.data;
}

const strictInt = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u));

const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//i.test(u));

function parseOrigins(env: Env): readonly string[] | '*' {
  const raw = read(env, 'WEB_ALLOWED_ORIGINS');
  if (raw === undefined) return [];
  if (raw === '*') return '*';
  const origins: string[] = [];
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new ConfigError(
        'WEB_ALLOWED_ORIGINS',
        `must be a comma-separated list of origins like https://www.ville-exemple.fr (got "${item}").`,
      );
    }
    if (!/^https?:$/.test(url.protocol) || (url.pathname !== '/' && url.pathname !== '')) {
      throw new ConfigError(
        'WEB_ALLOWED_ORIGINS',
        `must list origins only (scheme, host and port, no path), e.g. https://www.ville-exemple.fr (got "${item}").`,
      );
    }
    origins.push(url.origin);
  }
  return origins;
}

function parseBoolean(env: Env, name: string): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}").`);
}

/** REDIS_KEY_PREFIX: letters, digits, `_ . -` and `:` separators, 1–64 characters. */
const keyPrefix = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*:?$/)
  .max(64);

/** `Saint-Étienne-du-Rouvray` → `saint-etienne-du-rouvray` (key-safe, at most 40 characters). */
export function townSlug(town: string): string {
  return town
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

/** The default REDIS_KEY_PREFIX: the town's, else the Telegram bot's, else `clic:`. */
export function defaultRedisKeyPrefix(town?: string, telegramToken?: string): string {
  const slug = town ? townSlug(town) : '';
  if (slug) return `clic:${slug}:`;
  const bot = telegramToken?.split(':')[0];
  if (bot && /^\d+$/.test(bot)) return `clic:tg${bot}:`;
  return 'clic:';
}

// === The loader

/**
 * Reads and validates the environment once. Throws ConfigError naming the first bad variable;
 * `main` prints the message and exits 1.
 */
export function loadConfig(env: Env = process.env): Config {
  const port = parseWith(env, 'PORT', strictInt(0, 65535), 'an integer from 0 to 65535') ?? 3000;
  const host = read(env, 'HOST') ?? '0.0.0.0';
  const dataDir = read(env, 'DATA_DIR') ?? './data';
  const dataDirWaitSeconds =
    parseWith(
      env,
      'DATA_DIR_WAIT_SECONDS',
      strictInt(0, 3600),
      'a whole number of seconds from 0 to 3600',
    ) ?? 120;
  const redis = parseWith(env, 'REDIS_URL', redisUrl, 'a redis:// or rediss:// URL', true);
  const redisPrefix = parseWith(
    env,
    'REDIS_KEY_PREFIX',
    keyPrefix,
    'at most 64 letters, digits, _ . - with : as separator (e.g. clic:sens:)',
  );
  const publicUrl = parseWith(
    env,
    'PUBLIC_URL',
    httpUrl,
    'an http(s) URL such as https://assistant.ville-exemple.fr',
  )?.replace(/\/+$/, '');
  const townName = read(env, 'TOWN_NAME');
  if (townName !== undefined && townName.length > 100) {
    throw new ConfigError('TOWN_NAME', 'must be at most 100 characters.');
  }
  const townRegion = read(env, 'TOWN_REGION');
  if (townRegion !== undefined && townRegion.length > 100) {
    throw new ConfigError('TOWN_REGION', 'must be at most 100 characters.');
  }
  const allowedOrigins = parseOrigins(env);
  const rateLimitPerMinute =
    parseWith(
      env,
      'WEB_RATE_LIMIT_PER_MINUTE',
      strictInt(0, 1_000_000),
      'a whole number of requests per minute (0 turns the limits off)',
    ) ?? 60;
  const retentionDays =
    parseWith(env, 'RETENTION_DAYS', strictInt(1, 3650), 'a whole number of days from 1 to 3650') ??
    30;
  const observatoryToken = parseWith(
    env,
    'OBSERVATORY_TOKEN',
    z.string().min(16),
    'at least 16 characters long',
    true,
  );
  const observatorySalt = parseWith(
    env,
    'OBSERVATORY_SALT',
    z.string().min(16),
    'at least 16 characters long',
    true,
  );
  const logLevel =
    parseWith(env, 'LOG_LEVEL', z.enum(LOG_LEVELS), `one of ${LOG_LEVELS.join(', ')}`) ?? 'info';
  const trustProxy = parseBoolean(env, 'TRUST_PROXY');

  // --- Telegram: off while the token is empty.
  const telegramToken = parseWith(
    env,
    'TELEGRAM_BOT_TOKEN',
    z.string().regex(/^\d+:[A-Za-z0-9_-]+$/),
    'a bot token as given by @BotFather (digits, a colon, then letters, digits, _ or -)',
    true,
  );
  const telegramSecret = parseWith(
    env,
    'TELEGRAM_WEBHOOK_SECRET',
    z.string().regex(/^[A-Za-z0-9_-]{1,256}$/),
    '1 to 256 characters among A-Z a-z 0-9 _ -',
    true,
  );
  const telegramMode =
    parseWith(env, 'TELEGRAM_MODE', z.enum(['webhook', 'polling']), 'webhook or polling') ??
    'webhook';
  const telegramApiRoot = parseWith(
    env,
    'TELEGRAM_API_ROOT',
    httpUrl,
    'an http(s) URL of a Bot API server',
  )?.replace(/\/+$/, '');
  let telegram: TelegramConfig | undefined;
  if (telegramToken !== undefined) {
    if (telegramMode === 'webhook' && telegramSecret === undefined) {
      throw new ConfigError(
        'TELEGRAM_WEBHOOK_SECRET',
        'must be set when TELEGRAM_MODE is webhook (otherwise anyone could post fake updates); use TELEGRAM_MODE=polling for local use.',
      );
    }
    telegram = {
      botToken: telegramToken,
      mode: telegramMode,
      ...(telegramSecret !== undefined ? { webhookSecret: telegramSecret } : {}),
      ...(telegramApiRoot !== undefined ? { apiRoot: telegramApiRoot } : {}),
    };
  }

  // --- Slack: off while either the signing secret or the bot token is empty.
  const slackSecret = parseWith(
    env,
    'SLACK_SIGNING_SECRET',
    z.string().regex(/^\S{8,}$/),
    'the app\'s signing secret (from "Basic Information", at least 8 characters, no spaces)',
    true,
  );
  const slackToken = parseWith(
    env,
    'SLACK_BOT_TOKEN',
    z.string().regex(/^xoxb-[A-Za-z0-9-]+$/),
    'a bot token starting with xoxb-',
    true,
  );
  const slackApiUrl = parseWith(env, 'SLACK_API_URL', httpUrl, 'an http(s) URL');
  const slack: SlackConfig | undefined =
    slackSecret !== undefined && slackToken !== undefined
      ? {
          signingSecret: slackSecret,
          botToken: slackToken,
          ...(slackApiUrl !== undefined
            ? { apiUrl: slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/` }
            : {}),
        }
      : undefined;

  // --- Handover (issue 18): on when the channel and Slack are both set.
  const handoverChannel = parseWith(
    env,
    'HANDOVER_SLACK_CHANNEL',
    z.string().regex(/^[CG][A-Z0-9]{6,20}$/),
    'a Slack channel ID such as C0123ABCD (channel details, at the bottom), not its name',
  );
  const hoursText = read(env, 'HANDOVER_HOURS');
  let hours: OpeningHours | undefined;
  if (hoursText !== undefined) {
    try {
      hours = parseOpeningHours(hoursText);
    } catch (error) {
      const why = error instanceof HoursSyntaxError ? error.message : 'unreadable';
      throw new ConfigError(
        'HANDOVER_HOURS',
        `must look like "lun-ven 09:00-18:00" or "lun-ven 09:00-12:00,14:00-18:00; sam 09:00-12:00" (${why}).`,
      );
    }
  }
  const waitMinutes =
    parseWith(
      env,
      'HANDOVER_WAIT_MINUTES',
      strictInt(1, 1440),
      'a whole number of minutes from 1 to 1440',
    ) ?? 10;
  if (handoverChannel !== undefined && slack === undefined) {
    throw new ConfigError(
      'HANDOVER_SLACK_CHANNEL',
      'needs Slack: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN too, or leave it empty.',
    );
  }
  const handover: HandoverConfig | undefined =
    handoverChannel !== undefined
      ? { slackChannel: handoverChannel, waitMinutes, ...(hours ? { hours } : {}) }
      : undefined;

  return {
    port,
    host,
    dataDir,
    dataDirWaitSeconds,
    ...(redis !== undefined ? { redisUrl: redis } : {}),
    redisKeyPrefix:
      redisPrefix === undefined
        ? defaultRedisKeyPrefix(townName, telegramToken)
        : redisPrefix.endsWith(':')
          ? redisPrefix
          : `${redisPrefix}:`,
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    town: {
      ...(townName !== undefined ? { name: townName } : {}),
      ...(townRegion !== undefined ? { region: townRegion } : {}),
    },
    web: { allowedOrigins, rateLimitPerMinute },
    retentionDays,
    observatory: {
      ...(observatoryToken !== undefined ? { token: observatoryToken } : {}),
      ...(observatorySalt !== undefined ? { salt: observatorySalt } : {}),
    },
    logLevel,
    trustProxy,
    ...(telegram !== undefined ? { telegram } : {}),
    ...(slack !== undefined ? { slack } : {}),
    ...(handover !== undefined ? { handover } : {}),
  };
}
