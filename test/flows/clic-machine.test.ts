/**
 * The dialogue machine through `xstate/graph`: shortest paths reach every state, and along each
 * path every step says something that ends with buttons (SPEC §5: nothing is a dead end).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AnyStateNode, createActor, type SnapshotFrom } from 'xstate';
import { createTestModel, getShortestPaths } from 'xstate/graph';
import { getCatalog } from '../../catalog/load.js';
import { clicMachine } from '../../flows/clic-machine.js';
import { readAnswer } from '../../flows/logic.js';
import type { ClicEvent, Intent, MachineEvent } from '../../flows/types.js';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import { textEvent } from '../../src/dialogue/interpret.js';
import { renderIntents } from '../../src/dialogue/render.js';
import type { InboundEvent, StepResult } from '../../src/runtime/types.js';
import { createSearch } from '../../src/understand/index.js';

// The machine's own call of `readAnswer` goes through this spy (same function, counted).
vi.mock('../../flows/logic.js', async (importOriginal) => {
  const logic = await importOriginal<typeof import('../../flows/logic.js')>();
  return { ...logic, readAnswer: vi.fn(logic.readAnswer) };
});
const readCalls = vi.mocked(readAnswer);

const FLOWS_DIR = fileURLToPath(new URL('../../flows/', import.meta.url));
const catalog = getCatalog();
const search = createSearch(catalog);

type Snap = SnapshotFrom<typeof clicMachine>;

// === The events that carry data, listed for the traversal

/** Sample free texts, interpreted exactly as the dialogue layer does. */
const SAMPLE_TEXTS = [
  'oui',
  'non',
  'je ne sais pas',
  '45',
  '150 %',
  'boulangerie',
  'Sens',
  'bretagne',
  'je veux vendre en ligne',
  'stationnement',
  'azerty qsdf',
  'je suis commerçante',
  'bonjour',
  'merci',
  'au revoir',
  'ok',
  'les deux',
  'faire mon diagnostic',
  'diagnostic de mon commerce',
  'diagnostic du territoire',
].map((t) => textEvent(catalog, search, t));

const ENTRIES: ClicEvent[] = [
  { type: 'ENTRY', entry: { kind: 'none' } },
  { type: 'ENTRY', entry: { kind: 'unknown' } },
  { type: 'ENTRY', entry: { kind: 'objective', objective: 'o3' } },
  { type: 'ENTRY', entry: { kind: 'fiche', id: 'stationnement-intelligent' } },
  { type: 'ENTRY', entry: { kind: 'diag', flow: 'commercant' } },
  { type: 'ENTRY', entry: { kind: 'diag', flow: 'territoire' } },
];

const COMMANDS: ClicEvent[] = (
  ['menu', 'aide', 'retour', 'recommencer', 'contact', 'oublier'] as const
).map((command) => ({ type: 'COMMAND', command }));

const NAVIGATION: ClicEvent[] = [
  { type: 'ACTION', action: { kind: 'audience', audience: 'commercant' } },
  { type: 'ACTION', action: { kind: 'objective', objective: 'o5' } },
  { type: 'ACTION', action: { kind: 'fiche', id: 'site-vente-en-ligne' } },
  { type: 'ACTION', action: { kind: 'details', id: 'site-vente-en-ligne' } },
  { type: 'ACTION', action: { kind: 'diag', flow: 'commercant' } },
  { type: 'ACTION', action: { kind: 'diag', flow: 'territoire' } },
  { type: 'ACTION', action: { kind: 'search' } },
  { type: 'ACTION', action: { kind: 'contacts' } },
  { type: 'ACTION', action: { kind: 'resume' } },
];

const ANSWER_VALUES = [
  'yes',
  'no',
  'unknown',
  45,
  'alimentaire',
  'skip',
  'end',
  'collectif',
  'centre-ville',
  'both',
  'faible',
  'bretagne',
];

/** Answer buttons carry the current step token; one more is stale on purpose. */
function answerEvents(snap: Snap): ClicEvent[] {
  const p = snap.context.prompt;
  const seq = p.kind === 'question' ? p.seq : snap.context.seq;
  return [
    ...ANSWER_VALUES.map(
      (value): ClicEvent => ({ type: 'ACTION', action: { kind: 'answer', value, seq } }),
    ),
    { type: 'ACTION', action: { kind: 'answer', value: 'yes', seq: seq + 99 } },
  ];
}

const events = (snap: Snap): ClicEvent[] => [
  ...ENTRIES,
  ...COMMANDS,
  ...NAVIGATION,
  ...answerEvents(snap),
  ...SAMPLE_TEXTS,
];

/** A state is its value plus which question is asked and what is already known. */
const serializeState = (snap: Snap) => {
  const c = snap.context;
  const p = c.prompt;
  return JSON.stringify({
    v: snap.value,
    p: p.kind === 'question' ? p.question : p.kind,
    town: Boolean(c.town),
    region: Boolean(c.region),
  });
};

// === Every atomic state of the machine

function atomicStates(node: AnyStateNode): string[] {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return node.type === 'history' ? [] : [node.path.join('.')];
  return children.flatMap(atomicStates);
}

function leafPaths(value: unknown, prefix: string[] = []): string[] {
  if (typeof value === 'string') return [[...prefix, value].join('.')];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  return [];
}

/**
 * The events the machine raises itself (TEXT and ACTION read, `*_READ`) and the engine's TURN
 * wrapper are not sent bare by a traversal: they are reached through TEXT, ACTION and the engine.
 */
const sentFromOutside = (_: Snap, e: MachineEvent) =>
  e.type !== 'TEXT_READ' && e.type !== 'ACTION_READ' && e.type !== 'TURN';

const paths = getShortestPaths(clicMachine, { events, serializeState });

const ctx = { channel: 'console' as const, userRef: 'v', now: new Date() };
const plain = (r: StepResult) =>
  r.replies
    .map((x) => (x.progress ? `Question ${x.progress.current}/${x.progress.total} ` : '') + x.text)
    .join('\n');

describe('clic dialogue machine (xstate/graph)', () => {
  it('a snapshot stored before issue 15 (no aside/shown/rejected) still restores and continues', () => {
    const engine = createDialogueEngine({ catalog, search });
    let last = engine.start({ type: 'start', entry: 'diagnostic-commercant' }, ctx);
    for (const text of ['alimentaire', 'oui', 'il va pleuvoir demain ?']) {
      last = engine.step(last.snapshot, { type: 'text', text }, ctx);
    }
    // The detour above set `aside`: a snapshot of the previous release never has it.
    const stored = structuredClone(last.snapshot) as { context: Record<string, unknown> };
    expect(stored.context.aside).toBe(true);
    for (const key of ['aside', 'shown', 'rejected']) delete stored.context[key];
    const next = engine.step(stored, { type: 'text', text: 'non' }, ctx);
    expect(next.replies.map((r) => r.text).join('\n')).toContain('Question 3/4');
    expect(engine.inspect(next.snapshot)?.context.answers).toEqual({ P1: 'yes', P2: 'no' });
  });

  it('is pure: no invoke, no delayed transition, and imports no adapter or runtime code', () => {
    const nodes = (node: AnyStateNode): AnyStateNode[] => [
      node,
      ...(Object.values(node.states) as AnyStateNode[]).flatMap(nodes),
    ];
    for (const node of nodes(clicMachine.root)) {
      expect(node.invoke, node.id).toEqual([]);
      expect(node.after, node.id).toEqual([]);
    }
    for (const file of readdirSync(FLOWS_DIR).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(FLOWS_DIR, file), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      // flows/README: xstate, the catalog, and the pure core in src/core.
      for (const spec of imports)
        expect(spec, `${file} imports ${spec}`).toMatch(
          /^(xstate|\.\/|\.\.\/catalog\/|\.\.\/src\/core\/)/,
        );
    }
  });

  it('reaches every state of the machine by a shortest path', () => {
    const all = atomicStates(clicMachine.root).sort();
    const reached = new Set(paths.flatMap((p) => leafPaths(p.state.value)));
    expect(all).toContain('main.commercant.consentement');
    expect(all).toContain('main.territoire.extra');
    expect(all).toContain('oubli');
    expect(all.filter((s) => !reached.has(s))).toEqual([]);
  });

  it('ends every step of every path with a reply carrying buttons (no dead end)', () => {
    let checked = 0;
    for (const path of paths) {
      const actor = createActor(clicMachine, { input: {} });
      actor.start();
      for (const step of path.steps) {
        if (step.event.type.startsWith('xstate.')) continue;
        const intents: Intent[] = [];
        const sub = actor.on('*', (e) => intents.push(e as Intent));
        actor.send(step.event);
        sub.unsubscribe();
        expect(intents.length, `${JSON.stringify(step.event)} says nothing`).toBeGreaterThan(0);
        const replies = renderIntents(intents, { catalog, state: actor.getSnapshot().context });
        const last = replies[replies.length - 1];
        const buttons = [
          ...(last?.buttons ?? []),
          ...(last?.cards ?? []).flatMap((c) => c.buttons ?? []),
        ];
        expect(buttons.length, `dead end after ${JSON.stringify(step.event)}`).toBeGreaterThan(0);
        for (const r of replies)
          for (const b of [
            ...(r.buttons ?? []),
            ...(r.cards ?? []).flatMap((c) => c.buttons ?? []),
          ])
            expect(Buffer.byteLength(b.action, 'utf8')).toBeLessThanOrEqual(48);
        checked++;
      }
      actor.stop();
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('a test model built on the machine walks the merchant diagnostic to the consent question', async () => {
    const model = createTestModel(clicMachine, {
      events,
      serializeState,
      filterEvents: sentFromOutside,
    });
    const toConsent = model
      .getShortestPaths({
        toState: (s) => s.matches({ main: { commercant: 'consentement' } }),
      })
      .at(0);
    expect(toConsent).toBeDefined();
    // Replayed on a real actor, the path records what it answered: the four prerequisites and
    // the town (given by the path or already known), and asks the consent for that town.
    const actor = createActor(clicMachine, { input: {} });
    actor.start();
    for (const step of toConsent?.steps ?? [])
      if (!step.event.type.startsWith('xstate.')) actor.send(step.event);
    const ctx = actor.getSnapshot().context;
    actor.stop();
    expect(Object.keys(ctx.answers).sort()).toEqual(['P1', 'P2', 'P3', 'P4']);
    for (const v of Object.values(ctx.answers)) expect(['yes', 'no', 'unknown']).toContain(v);
    expect(ctx.town).toBeTruthy();
    const text = renderIntents([{ type: 'prompt', prompt: ctx.prompt }], { catalog, state: ctx })
      .map((r) => r.text)
      .join('\n');
    expect(text).toContain(`dans le bilan des commerçants de ${ctx.town}`);
  });

  it('an answer button from an earlier step is read as stale: said so, the question asked again, nothing recorded', () => {
    const actor = createActor(clicMachine, { input: {} });
    actor.start();
    actor.send({ type: 'ENTRY', entry: { kind: 'diag', flow: 'commercant' } });
    const first = actor.getSnapshot().context.prompt;
    expect(first.kind === 'question' && first.question).toBe('sector');
    const oldSeq = first.kind === 'question' ? first.seq : 0;
    actor.send({ type: 'ACTION', action: { kind: 'answer', value: 'alimentaire', seq: oldSeq } });
    const before = actor.getSnapshot().context;
    const intents: Intent[] = [];
    actor.on('*', (e) => intents.push(e as Intent));
    actor.send({ type: 'ACTION', action: { kind: 'answer', value: 'yes', seq: oldSeq } });
    const after = actor.getSnapshot().context;
    actor.stop();
    const text = renderIntents(intents, { catalog, state: after })
      .map((r) => r.text)
      .join('\n');
    expect(text).toContain('Ce bouton date d’une étape précédente');
    expect(text).toContain('Avez-vous déjà suivi une formation au numérique'); // P1 again
    expect(after.answers).toEqual(before.answers);
    expect(after.prompt).toEqual(before.prompt);
  });
});

describe('the answer to the question on screen is read once per event', () => {
  afterEach(() => readCalls.mockClear());

  /** Steps a conversation and counts, for each event, the calls of `readAnswer`. */
  function countReads(entry: string, events: readonly InboundEvent[]) {
    const engine = createDialogueEngine({
      catalog,
      search,
      // The territory diagnostic then starts with the observatory's offer (one more route).
      observatory: { prefill: (town) => ({ town, respondents: 7, connectes: 60, web: 40 }) },
      region: 'bretagne',
    });
    const tctx = { ...ctx, town: 'Sens' };
    let last = engine.start({ type: 'start', entry }, tctx);
    const counts: number[] = [];
    for (const event of events) {
      readCalls.mockClear();
      last = engine.step(last.snapshot, event, tctx);
      counts.push(readCalls.mock.calls.length);
    }
    return { counts, last };
  }
  const say = (text: string): InboundEvent => ({ type: 'text', text });

  it('through the engine: once for each text or button, even where many routes ask for it', () => {
    // Merchant: sector, P1–P4 (the last one closes with the town known: three guarded routes),
    // then the consent.
    const merchant = countReads('diagnostic-commercant', [
      say('boulangerie'),
      say('oui'),
      say('non'),
      say('oui'),
      say('je ne sais pas'),
      say('non'),
    ]);
    expect(merchant.counts).toEqual([1, 1, 1, 1, 1, 1]);
    expect(plain(merchant.last)).toContain('rien n’est compté');
    // Territory: the prefill offer declined, the three shares, « la fin » at the bilan (closing
    // with the region known), a command in between reads nothing.
    const territory = countReads('diagnostic-territoire', [
      say('non'),
      say('45'),
      say('150 %'),
      say('30'),
      say('aide'),
      say('20'),
      say('non'),
    ]);
    expect(territory.counts).toEqual([1, 1, 1, 1, 0, 1, 1]);
    expect(plain(territory.last)).toContain('Bretagne');
  });

  it('through an actor sent the plain events: once for TEXT and ACTION, never for the rest', () => {
    const actor = createActor(clicMachine, { input: {} });
    actor.start();
    const sent: [ClicEvent, number][] = [];
    const send = (event: ClicEvent) => {
      readCalls.mockClear();
      actor.send(event);
      sent.push([event, readCalls.mock.calls.length]);
    };
    send({ type: 'ENTRY', entry: { kind: 'diag', flow: 'commercant' } });
    send(textEvent(catalog, search, 'boulangerie'));
    for (const value of ['yes', 'no', 'unknown', 'yes']) {
      const p = actor.getSnapshot().context.prompt;
      send({
        type: 'ACTION',
        action: { kind: 'answer', value, seq: p.kind === 'question' ? p.seq : -1 },
      });
    }
    send({ type: 'COMMAND', command: 'retour' });
    send({ type: 'SOCIAL', social: 'thanks' });
    actor.stop();
    for (const [event, calls] of sent)
      expect(calls, event.type).toBe(event.type === 'TEXT' || event.type === 'ACTION' ? 1 : 0);
    expect(sent).toHaveLength(8);
  });
});

describe('the position in the questions: one typed field, `at`', () => {
  const engine = createDialogueEngine({ catalog, search });
  const say = (text: string): InboundEvent => ({ type: 'text', text });
  const walk = (entry: string, texts: readonly string[]) => {
    let last = engine.start({ type: 'start', entry }, ctx);
    for (const text of texts) last = engine.step(last.snapshot, say(text), ctx);
    return last;
  };

  it('follows the questionnaire and « retour », and says the same « Question n/N »', () => {
    const atP3 = walk('diagnostic-commercant', ['boulangerie', 'oui', 'non']);
    expect(engine.inspect(atP3.snapshot)?.context.at).toEqual({ sequence: 'merchant', index: 2 });
    expect(plain(atP3)).toContain('Question 3/4');
    const back = engine.step(atP3.snapshot, say('retour'), ctx);
    expect(engine.inspect(back.snapshot)?.context.at).toEqual({ sequence: 'merchant', index: 1 });
    expect(plain(back)).toContain('Question 2/4');
    // Both volets after the individuel bilan: one questionnaire of 7.
    const both = walk('diagnostic-territoire', ['70', '65', '62', 'les deux', '40']);
    expect(engine.inspect(both.snapshot)?.context.at).toEqual({ sequence: 'both', index: 1 });
    expect(plain(both)).toContain('Question 2/7');
  });

  it('a snapshot stored with the former `list` and `index` goes on at the same question', () => {
    const atP3 = walk('diagnostic-commercant', ['boulangerie', 'oui', 'non']);
    const stored = structuredClone(atP3.snapshot) as { context: Record<string, unknown> };
    delete stored.context.at;
    stored.context.list = ['P1', 'P2', 'P3', 'P4'];
    stored.context.index = 2;
    const next = engine.step(stored, say('oui'), ctx);
    expect(plain(next)).not.toContain('reprenons depuis le début');
    expect(plain(next)).toContain('Question 4/4');
    expect(engine.inspect(next.snapshot)?.context.answers).toEqual({
      P1: 'yes',
      P2: 'no',
      P3: 'yes',
    });
    // « Retour » from there uses the migrated position too.
    const back = engine.step(stored, say('retour'), ctx);
    expect(plain(back)).toContain('Question 2/4');
    // Before any questionnaire (an empty list): the menu goes on as before.
    const menu = walk('', []);
    const old = structuredClone(menu.snapshot) as { context: Record<string, unknown> };
    old.context.list = [];
    old.context.index = 0;
    const chosen = engine.step(old, { type: 'action', action: 'aud:commercant' }, ctx);
    expect(plain(chosen)).not.toContain('reprenons depuis le début');
    expect(engine.inspect(chosen.snapshot)?.context.audience).toBe('commercant');
  });
});
