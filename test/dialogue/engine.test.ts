/**
 * The DialogueEngine on its own: bad input and unknown buttons get a kind French answer and leave
 * the snapshot untouched; a snapshot XState cannot restore restarts kindly; the observatory
 * consent (issue 9) and « oublier mes données » become effects; action ids fit every platform.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { getCatalog } from '../../catalog/load.js';
import { clicMachine } from '../../flows/clic-machine.js';
import type { ClicEvent, Intent } from '../../flows/types.js';
import { maturityLabel } from '../../src/core/index.js';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import { decodeAction, decodeEntry, factsEvent, textEvent } from '../../src/dialogue/interpret.js';
import { renderIntents } from '../../src/dialogue/render.js';
import {
  DIALOGUE_TEXT as D,
  INPUT_TEXT,
  NOTICE_TEXT,
  RESTORE_TEXT,
} from '../../src/dialogue/text/common.js';
import {
  MERCHANT_QUESTION_TEXT,
  MERCHANT_TEXT,
  oneMaturityText,
  rankedForLevelText,
} from '../../src/dialogue/text/merchant.js';
import {
  consentTail,
  progressText,
  QUESTION_TEXT as Q,
} from '../../src/dialogue/text/questions.js';
import { shareClarifyText } from '../../src/dialogue/text/understand.js';
import type { Reply } from '../../src/reply/model.js';
import type { InboundEvent, StepResult, TurnContext } from '../../src/runtime/types.js';
import { createSearch } from '../../src/understand/index.js';

const catalog = getCatalog();
const engine = createDialogueEngine({ catalog });
const ctx: TurnContext = {
  channel: 'console',
  userRef: 'u1',
  now: new Date('2026-03-15T10:00:00Z'),
};

const textOf = (replies: readonly Reply[]) => replies.map((r) => r.text).join('\n\n');
const buttonsOf = (replies: readonly Reply[]) =>
  replies.flatMap((r) => [
    ...(r.cards ?? []).flatMap((c) => c.buttons ?? []),
    ...(r.buttons ?? []),
  ]);

/** Plays events after a start; returns every step's result. */
function play(entry: string | undefined, events: readonly InboundEvent[]): StepResult[] {
  const results: StepResult[] = [engine.start({ type: 'start', ...(entry ? { entry } : {}) }, ctx)];
  for (const e of events) {
    const last = results[results.length - 1] as StepResult;
    results.push(engine.step(last.snapshot, e, ctx));
  }
  return results;
}

const say = (text: string): InboundEvent => ({ type: 'text', text });

/** A merchant in the food trade who starts the self-diagnostic and types these answers. */
const merchantDiagnostic = (...answers: string[]): InboundEvent[] => [
  { type: 'action', action: 'aud:commercant' },
  { type: 'action', action: 'diag:c' },
  say('alimentaire'),
  ...answers.map(say),
];

describe('bad input through the dialogue (issue 5): kind answer, state unchanged', () => {
  const unknownAction = NOTICE_TEXT['unknown-action']?.[0] ?? '';
  const atQuestion = play('diagnostic-commercant', [say('boulangerie'), say('oui')]).at(
    -1,
  ) as StepResult;

  it.each([
    ['an empty text', say(''), INPUT_TEXT.empty],
    ['10 000 characters', say('a'.repeat(10_000)), INPUT_TEXT['too-long']],
    ['emoji only', say('😀🎉👍'), INPUT_TEXT['no-words']],
    [
      'an action id that does not exist',
      { type: 'action', action: 'zzz:nope' } as InboundEvent,
      unknownAction,
    ],
    [
      'a fiche that does not exist',
      { type: 'action', action: 'fiche:nope' } as InboundEvent,
      unknownAction,
    ],
  ])(
    '%s → a kind French line, the same question again, the snapshot untouched',
    (_, event, words) => {
      const result = engine.step(atQuestion.snapshot, event, ctx);
      expect(result.snapshot).toBe(atQuestion.snapshot);
      const text = textOf(result.replies);
      expect(text).toContain(words);
      expect(text).toContain(MERCHANT_QUESTION_TEXT.P2);
      expect(result.replies.at(-1)?.progress).toEqual({ current: 2, total: 4 });
      expect(result.effects).toBeUndefined();
    },
  );

  it('a snapshot XState cannot restore restarts kindly instead of failing every turn', () => {
    for (const garbage of [
      null,
      42,
      'x',
      { status: 'active', value: 'nowhere', context: {} },
      { status: 'done' },
    ]) {
      const result = engine.step(garbage, say('bonjour'), ctx);
      expect(textOf(result.replies)).toContain(RESTORE_TEXT);
      expect(engine.inspect(result.snapshot)?.value).toEqual({ main: 'accueil' });
    }
    const badState = {
      ...(atQuestion.snapshot as object),
      value: { main: { commercant: 'inexistant' } },
    };
    expect(textOf(engine.step(badState, say('oui'), ctx).replies)).toContain(RESTORE_TEXT);
  });

  it('a tampered snapshot never throws later, outside the turn (an actor used to re-throw from a timer)', async () => {
    const { children: _children, ...withoutChildren } = atQuestion.snapshot as Record<
      string,
      unknown
    >;
    const base = atQuestion.snapshot as { context: Record<string, unknown> };
    const brokenContext = { ...base, context: { ...base.context, answers: [] } };
    for (const tampered of [withoutChildren, brokenContext]) {
      for (const event of [say('oui'), say('menu'), { type: 'start' } as InboundEvent]) {
        const result = engine.step(tampered, event, ctx);
        expect(result.replies.length).toBeGreaterThan(0);
      }
    }
    // An error thrown from a timer would surface here as an unhandled error and fail the run.
    await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it('a context that looks right but is not (answers as a list, an unknown question) restarts kindly', () => {
    const base = atQuestion.snapshot as { context: Record<string, unknown> };
    for (const context of [
      { ...base.context, answers: [] },
      { ...base.context, list: ['P1', 'nope'] },
      { ...base.context, at: { sequence: 'nope', index: 0 } },
      { ...base.context, at: { sequence: 'merchant', index: -1 } },
      { ...base.context, prompt: { kind: 'question', question: 'P9', seq: 1 } },
      { ...base.context, observatory: { town: 'Sens', respondents: 5, connectes: 'beaucoup' } },
    ]) {
      const result = engine.step({ ...base, context }, say('oui'), ctx);
      expect(textOf(result.replies)).toContain(RESTORE_TEXT);
      expect(engine.inspect(result.snapshot)?.value).toEqual({ main: 'accueil' });
    }
    // The untouched snapshot still continues.
    expect(textOf(engine.step(atQuestion.snapshot, say('oui'), ctx).replies)).not.toContain(
      RESTORE_TEXT,
    );
  });
});

describe('deep links (SPEC §5 entry points)', () => {
  it.each([
    ['objectif-3', "Je souhaite développer l'attractivité du centre-ville"], // the catalog's title
    ['fiche-stationnement-intelligent', 'Stationnement intelligent'],
    ['diagnostic-commercant', Q.sector],
    ['diagnostic-territoire', progressText(1, 3)],
  ])('%s opens the right dialogue', (entry, words) => {
    const [start] = play(entry, []);
    const plain = (start?.replies ?? [])
      .map(
        (r) => (r.progress ? `Question ${r.progress.current}/${r.progress.total} ` : '') + r.text,
      )
      .join('\n');
    expect(plain).toContain(words);
  });

  it('an unknown entry lands on the welcome with a kind line', () => {
    const [start] = play('objectif-9', []);
    const text = textOf(start?.replies ?? []);
    expect(text).toContain(NOTICE_TEXT['unknown-entry']?.[0]);
    expect(text).toContain(D.youAre);
    expect(decodeEntry(catalog, undefined)).toEqual({ kind: 'none' });
  });
});

describe('the merchant observatory consent (issue 9)', () => {
  const base = [say('boulangerie'), say('oui'), say('oui'), say('non'), say('non'), say('Sens')];

  it('asks explicitly, « non » by default, saying what is counted and how to withdraw', () => {
    const text = textOf((play('diagnostic-commercant', base).at(-1) as StepResult).replies);
    expect(text).toContain(Q.consentLead + Q.consentBold + consentTail('Sens'));
    // What is counted (never who) and how to withdraw.
    expect(text).toContain(Q.consentWhat);
  });

  it('« oui » records town, sector, the four answers, level and month — never who', () => {
    const done = play('diagnostic-commercant', [...base, say('oui')]).at(-1) as StepResult;
    expect(done.effects).toEqual([
      {
        type: 'observatory-record',
        record: {
          town: 'Sens',
          sector: 'alimentaire',
          answers: { P1: 'yes', P2: 'yes', P3: 'no', P4: 'no' },
          level: 'faible',
          month: '2026-03',
        },
      },
    ]);
    expect(JSON.stringify(done.effects)).not.toContain('u1');
  });

  it('« non » (or anything unclear) records nothing', () => {
    for (const answer of ['non', 'je ne sais pas']) {
      const done = play('diagnostic-commercant', [...base, say(answer)]).at(-1) as StepResult;
      expect(done.effects).toBeUndefined();
      expect(textOf(done.replies)).toContain(D.consentThanksNone);
    }
  });

  it('without a town there is nothing to count: no consent question', () => {
    const done = play('diagnostic-commercant', [...base.slice(0, 5), say('passer')]).at(
      -1,
    ) as StepResult;
    expect(textOf(done.replies)).not.toContain(Q.consentLead);
    expect(textOf(done.replies)).toContain(MERCHANT_TEXT.levelLead);
  });
});

describe('« oublier mes données »', () => {
  it('asks for confirmation first, then asks the runtime to erase', () => {
    const steps = play(undefined, [say('oublier mes données')]);
    const confirm = steps.at(-1) as StepResult;
    expect(textOf(confirm.replies)).toContain(Q.forget);
    expect(confirm.effects).toBeUndefined();
    const yes = engine.step(confirm.snapshot, say('oui'), ctx);
    expect(yes.effects).toEqual([{ type: 'forget-user' }]);
    expect(textOf(yes.replies)).toContain(D.forgotten);
    const no = engine.step(confirm.snapshot, say('non'), ctx);
    expect(no.effects).toBeUndefined();
    expect(textOf(no.replies)).toContain(NOTICE_TEXT['forget-cancelled']?.[0]);
    expect(textOf(no.replies)).toContain(D.youAre);
  });
});

describe('action ids', () => {
  it('every button of a long walk is short ASCII (≤ 48 bytes) and decodes back', () => {
    const steps = play('diagnostic-territoire', [
      say('80'),
      say('45'),
      say('30'),
      say('les deux'),
      say('60'),
      say('40'),
      say('moyenne'),
      say('oui'),
      say('non'),
      say('oui'),
      say('non'),
      say('bretagne'),
    ]);
    const buttons = steps.flatMap((s) => buttonsOf(s.replies));
    expect(buttons.length).toBeGreaterThan(30);
    for (const b of buttons) {
      expect(b.action).toMatch(/^[\x21-\x7e]+$/);
      expect(Buffer.byteLength(b.action)).toBeLessThanOrEqual(48);
      expect(decodeAction(catalog, b.action), b.action).toBeDefined();
    }
  });
});

describe('territory diagnostic: what follows the individuel bilan depends on the objective', () => {
  const labelsAfterIndividuel = (entry: string | undefined, first: InboundEvent[]) => {
    const steps = play(entry, [...first, say('70'), say('65'), say('62')]);
    const last = steps.at(-1) as StepResult;
    return (last.replies.at(-1)?.buttons ?? []).map((b) => b.label);
  };

  it.each([
    ['objectif-3', ['Volet centre-ville (4 questions)', 'Voir la feuille de route', 'Retour']],
    ['objectif-5', ['Volet collectif (3 questions)', 'Voir la feuille de route', 'Retour']],
    [
      'objectif-2',
      [
        'Voir la feuille de route',
        'Volet collectif (3 questions)',
        'Volet centre-ville (4 questions)',
        'Retour',
      ],
    ],
  ])('%s', (entry, labels) => {
    expect(labelsAfterIndividuel(entry, [{ type: 'action', action: 'diag:t' }])).toEqual(labels);
  });

  it('no objective → both volets are offered', () => {
    expect(labelsAfterIndividuel('diagnostic-territoire', [])).toEqual([
      'Volet collectif (3 questions)',
      'Volet centre-ville (4 questions)',
      'Les deux volets (7 questions)',
      'Voir la feuille de route',
      'Retour',
    ]);
  });
});

describe('answers typed in words', () => {
  it('an out-of-range share gets the clarifying question and the state does not move', () => {
    const [start] = play('diagnostic-territoire', []);
    const before = engine.inspect(start?.snapshot);
    const result = engine.step(start?.snapshot, say('150 %'), ctx);
    const after = engine.inspect(result.snapshot);
    expect(textOf(result.replies)).toContain(
      shareClarifyText({ ok: false, reason: 'out-of-range' }),
    );
    expect(after?.context.answers).toEqual(before?.context.answers);
    expect(after?.context.prompt).toEqual(before?.context.prompt);
  });

  it('« je ne sais pas » is a valid answer, with advice on how to find out', () => {
    const steps = play('diagnostic-territoire', [say('je ne sais pas')]);
    const text = textOf((steps.at(-1) as StepResult).replies);
    expect(text).toContain(D.notedUnknown);
    expect(text).toContain('Enquête auprès des commerçants'); // the roadmap's means (catalog)
    expect(text).toContain(progressText(2, 3));
  });

  it('free text that is no answer falls back to search and offers to resume the question', () => {
    const steps = play('diagnostic-commercant', [say('boulangerie'), say('une carte de fidélité')]);
    const last = steps.at(-1) as StepResult;
    expect(textOf(last.replies)).toContain('Programme de fidélité et de chèques cadeaux'); // a fiche
    expect(buttonsOf(last.replies).map((b) => b.action)).toContain('nav:resume');
    const resumed = engine.step(last.snapshot, { type: 'action', action: 'nav:resume' }, ctx);
    expect(textOf(resumed.replies)).toContain(progressText(1, 4));
  });
});

describe('continuing from the snapshot object it handed out (the store keeps what it wrote)', () => {
  /** Every step twice: from the very object, and from its copy as read back from a database. */
  const scripts: readonly (readonly InboundEvent[])[] = [
    merchantDiagnostic('oui', 'non', 'je ne sais pas', 'oui', 'retour', 'oui'),
    [
      { type: 'action', action: 'aud:collectivite' },
      { type: 'action', action: 'obj:o5' },
      { type: 'action', action: 'fiche:site-vente-en-ligne' },
      say('les clients ne trouvent pas où se garer'),
      say('menu'),
      { type: 'action', action: 'no:such-button' },
    ],
  ];
  it.each(scripts.map((s, i) => [i, s] as const))(
    'script %i: the same replies and persisted snapshots either way',
    (_i, events) => {
      let same = engine.start({ type: 'start' }, ctx);
      let copied = engine.start({ type: 'start' }, ctx);
      for (const event of events) {
        same = engine.step(same.snapshot, event, ctx);
        copied = engine.step(JSON.parse(JSON.stringify(copied.snapshot)), event, ctx);
        expect(same.replies).toEqual(copied.replies);
        expect(JSON.parse(JSON.stringify(same.snapshot))).toEqual(
          JSON.parse(JSON.stringify(copied.snapshot)),
        );
      }
    },
  );
});

describe('prompts rendered once per profile and shared (the same fiches for every visitor)', () => {
  it('shares frozen replies for the same profile, and renders again for another', () => {
    const [, first] = play(undefined, [{ type: 'action', action: 'aud:commercant' }]);
    const [, second] = play(undefined, [{ type: 'action', action: 'aud:commercant' }]);
    expect(second?.replies[0]).toBe(first?.replies[0]);
    expect(Object.isFrozen(first?.replies[0]?.buttons?.[0])).toBe(true);
    // A merchant who answered the diagnostic sees the solutions ranked for their level.
    const plain = play(undefined, [
      { type: 'action', action: 'aud:commercant' },
      { type: 'action', action: 'obj:o5' },
    ]).at(-1);
    const diagnosed = play(undefined, [
      ...merchantDiagnostic('oui', 'oui', 'oui', 'oui'),
      { type: 'action', action: 'obj:o5' },
    ]).at(-1);
    // The three solutions of o5 share one level: it is said, not « les plus simples d'abord ».
    expect(textOf(plain?.replies ?? [])).toContain(oneMaturityText(maturityLabel(catalog, 'fort')));
    expect(textOf(diagnosed?.replies ?? [])).toContain(
      rankedForLevelText(maturityLabel(catalog, 'fort')),
    );
    // Another catalog object (an edited guide) never reads the first one's renderings.
    const other = createDialogueEngine({ catalog: structuredClone(catalog) });
    const welcome = other.start({ type: 'start' }, ctx);
    expect(welcome.replies[0]).not.toBe(play(undefined, [])[0]?.replies[0]);
    expect(welcome.replies[0]).toEqual(play(undefined, [])[0]?.replies[0]);
  });
});

describe('free text: everything it could mean, the share read only when asked for', () => {
  it('gives the share like any other field, once', async () => {
    const { understand } = await import('../../src/dialogue/interpret.js');
    const { createSearch } = await import('../../src/understand/index.js');
    const search = createSearch(catalog);
    const half = understand(catalog, search, 'à peu près la moitié');
    expect(half.share).toEqual({ ok: true, value: 50 });
    expect(half.share).toBe(half.share);
    expect(JSON.parse(JSON.stringify(half)).share).toEqual({ ok: true, value: 50 });
    const words = understand(catalog, search, 'les clients ne trouvent pas où se garer');
    expect(words.share).toMatchObject({ ok: false, reason: 'not-a-share' });
    expect(Object.keys(words)).toContain('share');
  });
});

describe('engines hold their own state: nothing is shared at module level', () => {
  const script: readonly InboundEvent[] = [
    ...merchantDiagnostic('oui', 'non', 'retour', 'non', 'je ne sais pas', 'oui', 'Sens'),
    say('oui'),
  ];
  /** Each step of a conversation on `e`, one engine used alone. */
  const alone = (e: ReturnType<typeof createDialogueEngine>) => {
    const steps = [e.start({ type: 'start' }, ctx)];
    for (const event of script) steps.push(e.step(steps.at(-1)?.snapshot, event, ctx));
    return steps;
  };

  it('two engines used in turn, step by step, each give what they give alone', () => {
    const offer = { town: 'Sens', respondents: 6, connectes: 50, web: 30 };
    const make = () => ({
      a: createDialogueEngine({ catalog }),
      b: createDialogueEngine({
        catalog,
        region: 'bretagne',
        observatory: { prefill: () => offer },
      }),
    });
    const solo = make();
    const expectedA = alone(solo.a);
    const expectedB = alone(solo.b);
    const { a, b } = make();
    let lastA = a.start({ type: 'start' }, ctx);
    let lastB = b.start({ type: 'start' }, ctx);
    const gotA = [lastA];
    const gotB = [lastB];
    for (const event of script) {
      lastA = a.step(lastA.snapshot, event, ctx);
      lastB = b.step(lastB.snapshot, event, ctx);
      gotA.push(lastA);
      gotB.push(lastB);
    }
    expect(gotA).toEqual(expectedA);
    expect(gotB).toEqual(expectedB);
    // The two differ where their options do: B knows the region and the town's figures.
    expect(a.inspect(lastA.snapshot)?.context.region).toBeUndefined();
    expect(b.inspect(lastB.snapshot)?.context.region).toBe('bretagne');
    expect(b.inspect(lastB.snapshot)?.context.observatory).toEqual(offer);
  });

  it('an engine continues without a check only from the objects it handed out itself', () => {
    const a = createDialogueEngine({ catalog });
    const b = createDialogueEngine({ catalog });
    const atQuestion = play('diagnostic-commercant', [say('boulangerie')]).at(-1) as StepResult;
    const mine = a.step(atQuestion.snapshot, say('oui'), ctx);
    // The object is spoiled after it was handed out (as a store bug would).
    (mine.snapshot as { context: { answers: unknown } }).context.answers = [];
    // A continues from the machine snapshot it computed for that object…
    expect(textOf(a.step(mine.snapshot, say('non'), ctx).replies)).toContain(progressText(3, 4));
    // …another engine never saw it: it checks the object, refuses it and restarts kindly.
    expect(textOf(b.step(mine.snapshot, say('non'), ctx).replies)).toContain(RESTORE_TEXT);
  });
});

describe('the engine computes what an XState actor computes (public API, no actor internals)', () => {
  const search = createSearch(catalog);
  const offer = { town: 'Sens', respondents: 6, connectes: 50, web: 30 };
  const observed = createDialogueEngine({
    catalog,
    search,
    observatory: { prefill: (town) => (town === 'Sens' ? offer : undefined) },
  });
  /** The machine events the engine sends for a step, as separate events. */
  const machineEvents = (event: InboundEvent, town: string | undefined): ClicEvent[] => {
    const main =
      event.type === 'text'
        ? textEvent(catalog, search, event.text)
        : (decodeAction(catalog, event.type === 'action' ? event.action : '') as ClicEvent);
    const facts = factsEvent(main);
    return [
      { type: 'OBSERVATORY', ...(town === 'Sens' ? { offer } : {}) },
      ...(facts ? [facts] : []),
      main,
    ];
  };

  it.each([
    ['territory with the town’s figures', 'diagnostic-territoire', ['oui', 'les deux', 'menu']],
    ['merchant', 'diagnostic-commercant', ['boulangerie', 'oui', 'non', 'au fait', 'retour']],
    [
      'an objective, a fiche, oublier',
      'objectif-5',
      ['les clients ne trouvent pas où se garer', 'oublier', 'non'],
    ],
  ])('%s: same replies and persisted snapshots, step by step', (_, entry, texts) => {
    const tctx = { ...ctx, town: 'Sens' };
    let last = observed.start({ type: 'start', entry }, tctx);
    for (const text of texts) {
      const event = say(text);
      const next = observed.step(last.snapshot, event, tctx);
      // An actor restored from the same persisted snapshot, sent the same events one by one.
      const actor = createActor(clicMachine, {
        snapshot: last.snapshot as never,
        input: undefined,
      });
      const intents: Intent[] = [];
      actor.on('*', (e) => intents.push(e as Intent));
      actor.start();
      for (const e of machineEvents(event, 'Sens')) actor.send(e);
      const snapshot = actor.getSnapshot();
      const persisted = actor.getPersistedSnapshot();
      actor.stop();
      if (intents.length > 0) {
        expect(next.snapshot).toEqual(persisted);
        expect(next.replies).toEqual(renderIntents(intents, { catalog, state: snapshot.context }));
      } else expect(next.snapshot).toBe(last.snapshot);
      last = next;
    }
  });
});
