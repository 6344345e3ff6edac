/**
 * Issue 15's property: any text, at any state, gets a reply and leaves a valid state. Random
 * walks press the buttons the dialogue offers and type texts of every kind (the dev messages, the
 * global words, answers, random French-looking words and arbitrary Unicode) through the real
 * engine and flows.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import { readRows } from '../../scripts/lib/dialogue-eval.js';
import { isClicContext } from '../../src/dialogue/context.js';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import type { Reply } from '../../src/reply/model.js';
import type { InboundEvent, StepResult, TurnContext } from '../../src/runtime/types.js';

const catalog = getCatalog();
const engine = createDialogueEngine({ catalog });
const ctx: TurnContext = { channel: 'web', userRef: 'prop', now: new Date('2026-03-15') };

const dev = readRows(
  fileURLToPath(new URL('../../scripts/data/first-messages-dev.tsv', import.meta.url)),
).map((r) => r.message);

const PHRASES = [
  ...dev,
  'oui',
  'non',
  'ok',
  'un peu',
  'je ne sais pas',
  'la moitié',
  '3 sur 10',
  '150 %',
  '89',
  'Sens',
  'on est à Sens',
  'retour',
  'menu',
  'recommencer',
  'oublier mes données',
  'aide',
  'contact',
  "ce n'est pas ça",
  'ça coûte combien ?',
  'et pour moi ?',
  "pour la question d'avant c'était non",
  'je me suis trompé',
  'passer',
  'les deux',
  'merci',
];

const ENTRIES = [
  undefined,
  'objectif-3',
  'fiche-stationnement-intelligent',
  'diagnostic-commercant',
  'diagnostic-territoire',
  'nope',
];

const buttonsOf = (replies: readonly Reply[]) => [
  ...replies.flatMap((r) => r.buttons ?? []),
  ...replies.flatMap((r) => (r.cards ?? []).flatMap((c) => c.buttons ?? [])),
];

const word = fc.string({
  unit: fc.constantFrom(...'abcdeéèfghijklmnopqrstuvwxyzàç'.split('')),
  minLength: 1,
  maxLength: 10,
});

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PHRASES) },
  { weight: 2, arbitrary: fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => w.join(' ')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
);

type Move = { kind: 'press'; pick: number } | { kind: 'type'; text: string };
const move: fc.Arbitrary<Move> = fc.oneof(
  fc.record({ kind: fc.constant('press' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('type' as const), text }),
);

describe('any text at any state (property)', () => {
  it('gets a reply with buttons and leaves a state the engine restores and the schema accepts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ENTRIES),
        fc.array(move, { maxLength: 14 }),
        (entry, moves) => {
          let last: StepResult = engine.start({ type: 'start', ...(entry ? { entry } : {}) }, ctx);
          for (const m of moves) {
            const buttons = buttonsOf(last.replies);
            const event: InboundEvent =
              m.kind === 'press' && buttons.length > 0
                ? { type: 'action', action: buttons[m.pick % buttons.length]?.action ?? '' }
                : { type: 'text', text: m.kind === 'type' ? m.text : 'ok' };
            const next = engine.step(last.snapshot, event, ctx);
            expect(next.replies.length, JSON.stringify(event)).toBeGreaterThan(0);
            for (const r of next.replies) expect(r.text.trim().length).toBeGreaterThan(0);
            expect(buttonsOf(next.replies).length, JSON.stringify(event)).toBeGreaterThan(0);
            const restored = engine.inspect(structuredClone(next.snapshot));
            expect(restored, JSON.stringify(event)).toBeDefined();
            expect(isClicContext(restored?.context)).toBe(true);
            last = next;
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
