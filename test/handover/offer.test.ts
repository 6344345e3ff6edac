/**
 * « Parler à l’équipe de la ville » (issue 18) is offered with the regional contacts and after a
 * result, never on a question's own buttons, and nowhere else.
 */
import { describe, expect, it } from 'vitest';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import { HANDOVER_OFFER_LABEL, withHandoverOffer } from '../../src/handover/offer.js';
import { HANDOVER_ACTIONS } from '../../src/handover/triggers.js';
import type { Reply } from '../../src/reply/model.js';
import type { InboundEvent, StepResult, TurnContext } from '../../src/runtime/types.js';

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
