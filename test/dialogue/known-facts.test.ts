/**
 * What the person already said is not asked again, and one request gets one answer: the merged
 * understanding (issue 15) and advice (issue 16) through the real engine and flows.
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import { progressText, QUESTION_TEXT } from '../../src/dialogue/text/questions.js';
import type { Reply } from '../../src/reply/model.js';
import type { InboundEvent, StepResult, TurnContext } from '../../src/runtime/types.js';

const engine = createDialogueEngine({ catalog: getCatalog() });
const ctx: TurnContext = { channel: 'console', userRef: 'facts', now: new Date('2026-03-15') };
const say = (text: string): InboundEvent => ({ type: 'text', text });
const press = (action: string): InboundEvent => ({ type: 'action', action });
const textOf = (replies: readonly Reply[]) => replies.map((r) => r.text).join('\n');
const actionsOf = (replies: readonly Reply[]) =>
  replies.flatMap((r) => r.buttons ?? []).map((b) => b.action);

function play(events: readonly InboundEvent[]): StepResult[] {
  const out: StepResult[] = [engine.start({ type: 'start' }, ctx)];
  for (const e of events) out.push(engine.step((out.at(-1) as StepResult).snapshot, e, ctx));
  return out;
}
const questionOf = (r: StepResult) => {
  const p = engine.inspect(r.snapshot)?.context.prompt;
  return p?.kind === 'question' ? p.question : undefined;
};

/** Whether a line of the text starts with `head` (« Question 1/4 »). */
const startsALine = (text: string, head: string) =>
  text.split('\n').some((line) => line.startsWith(head));

describe('a trade said in the first message is not asked again', () => {
  it('« je suis fleuriste » + « faire mon diagnostic »: straight to question 1/4, the sector kept', () => {
    const [, first] = play([say('je suis fleuriste, je voudrais faire mon diagnostic numerique')]);
    const r = first as StepResult;
    expect(startsALine(textOf(r.replies), progressText(1, 4))).toBe(true);
    expect(textOf(r.replies)).not.toContain(QUESTION_TEXT.sector);
    expect(engine.inspect(r.snapshot)?.context.sector).toBeDefined();
    expect(questionOf(r)).not.toBe('sector');
  });

  it('the answers then go to P1, P2… and « Retour » from P2 gives P1 again', () => {
    const steps = play([
      say('je suis fleuriste, je voudrais faire mon diagnostic numerique'),
      say('oui'),
    ]);
    const atP2 = steps.at(-1) as StepResult;
    expect(startsALine(textOf(atP2.replies), progressText(2, 4))).toBe(true);
    const back = engine.step(atP2.snapshot, press('nav:back'), ctx);
    expect(startsALine(textOf(back.replies), progressText(1, 4))).toBe(true);
  });

  it('without a trade, the sector is asked first', () => {
    const steps = play([press('aud:commercant'), press('diag:c')]);
    expect(questionOf(steps.at(-1) as StepResult)).toBe('sector');
  });
});

describe('a contact asked in the middle of a question', () => {
  it('gives the contact first, the funding once, and « Reprendre la question »', () => {
    const steps = play([
      press('aud:commercant'),
      press('diag:c'),
      say('alimentaire'),
      say('qui est mon interlocuteur a la banque des territoires ?'),
    ]);
    const r = steps.at(-1) as StepResult;
    const text = textOf(r.replies);
    expect(text.match(/Financements mentionnés dans le guide/g)).toHaveLength(1);
    expect(text.indexOf('contacts régionaux')).toBeLessThan(text.indexOf('Financements'));
    expect(actionsOf(r.replies)).toContain('nav:resume');
  });
});
