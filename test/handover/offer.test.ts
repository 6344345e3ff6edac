/**
 * « Parler à l’équipe de la ville » (issue 18) is offered with the regional contacts and after a
 * result, never on a question's own buttons, and nowhere else.
 */
import { describe, expect, it } from 'vitest';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import {
  HANDOVER_OFFER_LABEL,
  MISSED_OFFER_TEXT,
  withHandoverOffer,
} from '../../src/handover/offer.js';
import { HANDOVER_ACTIONS } from '../../src/handover/triggers.js';
import { makeReply, para } from '../../src/reply/build.js';
import type { Reply } from '../../src/reply/model.js';
import type {
  DialogueEngine,
  InboundEvent,
  StepResult,
  TurnContext,
} from '../../src/runtime/types.js';

const engine = withHandoverOffer(createDialogueEngine());
const ctx: TurnContext = { channel: 'web', userRef: 'offer', now: new Date('2026-12-03') };
const say = (text: string): InboundEvent => ({ type: 'text', text });

function play(entry: string | undefined, events: readonly InboundEvent[]): StepResult[] {
  const out: StepResult[] = [engine.start({ type: 'start', ...(entry ? { entry } : {}) }, ctx)];
  for (const e of events) out.push(engine.step((out.at(-1) as StepResult).snapshot, e, ctx));
  return out;
}
const offersIn = (replies: readonly Reply[]) =>
  replies.map((r) => (r.buttons ?? []).some((b) => b.action === HANDOVER_ACTIONS.ask));

describe('the offer of a person', () => {
  it('comes with the regional contact', () => {
    const steps = play(undefined, [
      say('qui contacter a la banque des territoires ?'),
      say('Bretagne'),
    ]);
    const shown = steps.at(-1) as StepResult;
    expect(shown.replies.map((r) => r.text).join('\n')).toContain('bretagne@caissedesdepots.fr');
    expect(offersIn(shown.replies)).toContain(true);
    const label = shown.replies
      .flatMap((r) => r.buttons ?? [])
      .find((b) => b.action === HANDOVER_ACTIONS.ask);
    expect(label?.label).toBe(HANDOVER_OFFER_LABEL);
  });

  it('comes after the merchant result, on the result and not on the consent question', () => {
    const steps = play('diagnostic-commercant', [
      say('boulangerie'),
      say('oui'),
      say('non'),
      say('non'),
      say('non'),
      say('Sens'),
    ]);
    const offers = offersIn((steps.at(-1) as StepResult).replies);
    expect(offers).toContain(true);
    expect(offers.at(-1)).toBe(false);
  });

  it('is not offered on a question or with a fiche', () => {
    for (const step of play('diagnostic-commercant', [say('boulangerie'), say('oui')]))
      expect(offersIn(step.replies)).not.toContain(true);
    const fiche = play(undefined, [say('je veux vendre en ligne')]).at(-1) as StepResult;
    expect(offersIn(fiche.replies)).not.toContain(true);
  });
});

/** Steps as turns stored and read back (JSON), as another instance would read them. */
function turns(e: typeof engine, texts: readonly string[]): StepResult[] {
  const out: StepResult[] = [e.start({ type: 'start' }, ctx)];
  for (const text of texts) {
    const stored = JSON.parse(JSON.stringify((out.at(-1) as StepResult).snapshot)) as unknown;
    out.push(e.step(stored, say(text), ctx));
  }
  return out.slice(1);
}
const offered = (step: StepResult) => offersIn(step.replies).includes(true);

describe('after two « pas compris » in a row', () => {
  it('offers a person on the second, with a line saying so, and on each one after', () => {
    const [first, second, third] = turns(engine, ['zzkqv blorp', 'xyzzy plugh', 'qwzx vvv']);
    expect(offered(first as StepResult)).toBe(false);
    expect(offered(second as StepResult)).toBe(true);
    expect((second as StepResult).replies.at(-1)?.text).toContain(MISSED_OFFER_TEXT);
    expect((second as StepResult).replies.at(-1)?.buttons?.[0]?.label).toBe(HANDOVER_OFFER_LABEL);
    expect(offered(third as StepResult)).toBe(true);
  });

  it('any understood turn starts the count again', () => {
    const steps = turns(engine, ['zzkqv blorp', 'menu', 'xyzzy plugh', 'qwzx vvv']);
    expect(steps.map(offered)).toEqual([false, false, false, true]);
    const reset = turns(engine, ['zzkqv blorp', 'xyzzy plugh', 'menu']).at(-1) as StepResult;
    expect(reset.snapshot).not.toHaveProperty('handoverMisses');
  });

  it('without the handover (the engine alone) nothing changes: the menu with the contacts', () => {
    const plain = createDialogueEngine();
    const raw = turns(plain, ['zzkqv blorp', 'xyzzy plugh']);
    const second = raw.at(-1) as StepResult;
    expect(offered(second)).toBe(false);
    expect(second.replies.map((r) => r.text).join('\n')).not.toContain(MISSED_OFFER_TEXT);
    expect(second.replies.flatMap((r) => r.buttons ?? []).map((b) => b.action)).toContain(
      'nav:contact',
    );
    // The wrapper adds only the line and the button to what the engine says.
    const wrapped = turns(engine, ['zzkqv blorp', 'xyzzy plugh']).at(-1) as StepResult;
    expect(wrapped.replies.at(-1)?.text).toBe(
      `${second.replies.at(-1)?.text}\n\n${MISSED_OFFER_TEXT}`,
    );
    expect(wrapped.replies.at(-1)?.buttons?.slice(1)).toEqual(second.replies.at(-1)?.buttons);
  });
});

describe('a « pas compris » is the engine’s word, not its wording', () => {
  it('the engine marks the turns it did not understand, and only those', () => {
    const plain = createDialogueEngine();
    const [missed, understood] = turns(plain, ['zzkqv blorp', 'menu']);
    expect(missed?.understood).toBe(false);
    expect(understood).not.toHaveProperty('understood');
  });

  /** The engine, its replies reworded (each first line replaced): what a wording change does. */
  function reworded(inner: DialogueEngine, first: (step: StepResult) => string): DialogueEngine {
    const reword = (step: StepResult): StepResult => ({
      ...step,
      replies: step.replies.map((r, i) =>
        i === 0 ? makeReply({ ...r, blocks: [para(first(step)), ...r.blocks.slice(1)] }) : r,
      ),
    });
    return {
      ...inner,
      start: (event, c) => reword(inner.start(event, c)),
      step: (snapshot, event, c) => reword(inner.step(snapshot, event, c)),
    };
  }

  it('a « pas compris » reworded is still counted: the offer comes on the second', () => {
    const wrapped = withHandoverOffer(reworded(createDialogueEngine(), () => 'Hein ? Pardon.'));
    const steps = turns(wrapped as typeof engine, ['zzkqv blorp', 'xyzzy plugh']);
    expect(steps.map((s) => s.replies[0]?.text.startsWith('Hein ? Pardon.'))).toEqual([true, true]);
    expect(steps.map(offered)).toEqual([false, true]);
    expect(steps[0]?.snapshot).toHaveProperty('handoverMisses', 1);
  });

  it('an understood turn that happens to open with the « pas compris » words is not counted', () => {
    const [missed] = turns(createDialogueEngine(), ['zzkqv blorp']);
    const line = missed?.replies[0]?.text.split('\n\n')[0] ?? '';
    expect(line.length).toBeGreaterThan(0);
    const wrapped = withHandoverOffer(reworded(createDialogueEngine(), () => line));
    const steps = turns(wrapped as typeof engine, ['menu', 'menu', 'menu']);
    expect(steps.map(offered)).toEqual([false, false, false]);
    for (const step of steps) expect(step.snapshot).not.toHaveProperty('handoverMisses');
  });
});

describe('on Slack and in the terminal', () => {
  it('no offer: the team itself is on Slack, and the terminal has nobody to hand over to', () => {
    for (const channel of ['slack', 'console'] as const) {
      const there: TurnContext = { ...ctx, channel };
      let step = engine.start({ type: 'start' }, there);
      for (const text of ['zzkqv blorp', 'xyzzy plugh', 'qui contacter ?', 'Bretagne']) {
        step = engine.step(step.snapshot, say(text), there);
        expect(offersIn(step.replies)).not.toContain(true);
      }
    }
  });
});
