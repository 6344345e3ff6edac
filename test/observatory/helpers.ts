/**
 * Shared set-up for the observatory tests: records as a consenting merchant leaves them, and a
 * whole stack (dialogue engine → runtime → observatory → store) to play real conversations.
 */
import { getCatalog } from '../../catalog/load.js';
import type { MaturityLevel } from '../../catalog/schema.js';
import { assessMerchant } from '../../src/core/index.js';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import {
  createObservatory,
  identityHash,
  type ObservatoryRecord,
  townKey,
} from '../../src/observatory/index.js';
import type { Reply } from '../../src/reply/model.js';
import { conversationKey, createRuntime } from '../../src/runtime/runtime.js';
import type { Channel, InboundEvent, TurnContext } from '../../src/runtime/types.js';
import type { Store } from '../../src/storage/types.js';

export const catalog = getCatalog();
/** The tests' clock: mid-March 2026 (records carry the month « 2026-03 »). */
export const NOW = new Date('2026-03-15T10:00:00Z');
/** Stores read expiry on this clock too, so conversations do not expire under the tests. */
export const storeClock = () => NOW.getTime();
export const SALT = Buffer.alloc(32, 7);

type Yn = 'yes' | 'no' | 'unknown';

let counter = 0;

/** A record as the service stores it; `answers` as P1–P4 letters: y, n, u (« yynn »). */
export function rec(
  options: {
    answers?: string;
    town?: string;
    sector?: string | null;
    month?: string;
    user?: string;
  } = {},
): ObservatoryRecord {
  const letters = (options.answers ?? 'yynn').split('');
  const map: Record<string, Yn> = { y: 'yes', n: 'no', u: 'unknown' };
  const [P1, P2, P3, P4] = letters.map((l) => map[l] ?? 'unknown') as [Yn, Yn, Yn, Yn];
  const answers = { P1, P2, P3, P4 };
  const town = options.town ?? 'Sens';
  return {
    identity: identityHash(SALT, 'telegram', options.user ?? `user-${++counter}`),
    town,
    townKey: townKey(town),
    sector: options.sector === undefined ? 'alimentaire' : options.sector,
    answers,
    level: assessMerchant(catalog, answers).level as MaturityLevel,
    month: options.month ?? '2026-03',
  };
}

/** `count` records, `yes` of which answer oui to `prereq` (the others non). */
export function cohort(count: number, yes: number, prereq: 'P3' | 'P4', extra = {}) {
  return Array.from({ length: count }, (_, i) => {
    const hit = i < yes;
    const answers = prereq === 'P3' ? `yn${hit ? 'y' : 'n'}n` : `ynn${hit ? 'y' : 'n'}`;
    return rec({ answers, ...extra });
  });
}

/** Plain text of replies, as a user reads them. */
export const textOf = (replies: readonly Reply[]) => replies.map((r) => r.text).join('\n\n');
export const buttonsOf = (replies: readonly Reply[]) =>
  replies.flatMap((r) => [
    ...(r.cards ?? []).flatMap((c) => c.buttons ?? []),
    ...(r.buttons ?? []),
  ]);

/** The full stack over `store`: what `main` wires, minus HTTP. */
export function createStack(store: Store, now = NOW) {
  const observatory = createObservatory({ catalog, records: store.records, salt: SALT });
  const engine = createDialogueEngine({ catalog, observatory });
  const errors: unknown[] = [];
  const logger = {
    error: (obj: object) => errors.push(obj),
    warn: () => undefined,
    info: () => undefined,
  };
  const runtime = createRuntime({
    engine,
    store,
    logger,
    now: () => now,
    onEffect: (effect, origin) => observatory.onEffect(effect, origin),
    onForget: (owner) => observatory.onForget(owner),
  });

  /** One user of a channel, talking through the runtime. */
  function user(channel: Channel, userRef: string, town?: string) {
    const key = conversationKey(channel, userRef);
    const ctx: TurnContext = { channel, userRef, now, ...(town ? { town } : {}) };
    return {
      key,
      async say(...lines: (string | InboundEvent)[]): Promise<Reply[]> {
        let last: Reply[] = [];
        for (const line of lines) {
          const event: InboundEvent =
            typeof line === 'string' ? { type: 'text', text: line } : line;
          const result = await runtime.turn(key, event, ctx);
          last = [...result.replies];
        }
        return last;
      },
      start(entry: string): Promise<Reply[]> {
        return this.say({ type: 'start', entry });
      },
    };
  }

  return { observatory, engine, runtime, user, errors };
}

/** A merchant's whole self-diagnostic on Telegram up to the consent question (town asked). */
export const DIAGNOSTIC = ['alimentaire', 'oui', 'oui', 'oui', 'non', 'Sens'];
