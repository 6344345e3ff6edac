/**
 * The one logger of the application: JSON lines through pino, with message text, user ids and
 * secrets redacted by path so that a careless `log.info({ text })` never leaks what a user wrote
 * (SPEC §7: no message text or user id in logs).
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/** Log levels we accept (`silent` for tests). */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The logger type the rest of the code depends on. */
export type AppLogger = Logger;

/** Field paths censored wherever they appear at the top level or one level down. */
export const REDACTED_PATHS: readonly string[] = [
  'text',
  'userRef',
  'userId',
  'chatId',
  'token',
  'secret',
  'password',
  'authorization',
  '*.text',
  '*.userRef',
  '*.userId',
  '*.chatId',
  '*.token',
  '*.secret',
  '*.password',
  '*.authorization',
  '*.botToken',
  '*.signingSecret',
  '*.webhookSecret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-slack-signature"]',
];

/** Options of {@link createLogger}. */
export interface LoggerConfig {
  readonly level?: LogLevel;
  /** Where JSON lines go (a stream in tests); stdout by default. */
  readonly destination?: DestinationStream;
  /** Extra fixed fields, e.g. `{ service: 'clic-centre-ville' }`. */
  readonly base?: Record<string, unknown>;
}

/** Creates the JSON logger with redaction; `level: 'silent'` for quiet tests. */
export function createLogger(config: LoggerConfig = {}): AppLogger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: config.base ?? null,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}
