/** Shared set-up for runtime tests: a runtime over a store with a recording logger. */
import type { Reply } from '../../src/reply/model.js';
import { createRuntime, type RuntimeOptions } from '../../src/runtime/runtime.js';
import type { TurnContext } from '../../src/runtime/types.js';
import type { Store } from '../../src/storage/types.js';
import { createCounterEngine } from './fake-engine.js';

/** Log calls kept for assertions (level, object, message). */
export interface LogLine {
  readonly level: 'error' | 'warn' | 'info';
  readonly obj: Record<string, unknown>;
  readonly msg?: string;
}

/** A logger that records what it is given. */
export function createRecordingLogger() {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, ...(msg ? { msg } : {}) });
    };
  return { lines, error: at('error'), warn: at('warn'), info: at('info') };
}

/** A merchant on Telegram, chat 42. */
export const telegramCtx: TurnContext = { channel: 'telegram', userRef: '42', now: new Date() };
/** A visitor on the web widget. */
export const webCtx: TurnContext = { channel: 'web', userRef: 'conv-abc', now: new Date() };

/** A runtime with a counter engine; every option can be overridden. */
export function setup(store: Store, overrides: Partial<RuntimeOptions> = {}) {
  const logger = createRecordingLogger();
  const engine = createCounterEngine();
  const runtime = createRuntime({ engine, store, logger, retentionDays: 30, ...overrides });
  return { runtime, logger, engine };
}

/** All the plain text the user reads in a list of replies. */
export function said(replies: readonly Reply[]): string {
  return replies.map((r) => r.text).join('\n');
}
