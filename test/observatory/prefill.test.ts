/**
 * The territory diagnostic offers the merchants' own figures (issue 9): when at least 5 merchants
 * of the conversation's town are counted, « Selon 23 commerçants de Sens : 57 % présents sur le
 * web — utiliser ces chiffres ? ». Accepted → the individuel bilan with those shares, said to be
 * self-declared; refused → the usual three questions (guide p. 39's maturity questions).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/storage/memory.js';
import { buttonsOf, cohort, createStack, storeClock, textOf } from './helpers.js';

async function townWith(count: number, web: number) {
  const store = createMemoryStore({ now: storeClock });
  for (const r of cohort(count, web, 'P3')) await store.records.put(r);
  const stack = createStack(store);
  await stack.observatory.warm('Sens');
  return { store, ...stack };
}

describe('the prefill offer in the territory diagnostic', () => {
  it('23 merchants of Sens, 13 on the web: the offer quotes n, the town and the share', async () => {
    const { user } = await townWith(23, 13);
    const staff = user('slack', 'T1:U1', 'Sens');
    const replies = await staff.start('diagnostic-territoire');
    const text = textOf(replies);
    expect(text).toContain('Selon 23 commerçants de Sens : 56,5 % présents sur le web');
    expect(text).toContain('utiliser ces chiffres ?');
    expect(buttonsOf(replies).map((b) => b.label)).toEqual([
      'Oui, utiliser ces chiffres',
      'Non, je saisis mes chiffres',
    ]);
  });

  it('accepted: the individuel bilan uses them, says they are self-declared, then « aller plus loin »', async () => {
    const { user } = await townWith(23, 13);
    const staff = user('slack', 'T1:U1', 'Sens');
    const offer = await staff.start('diagnostic-territoire');
    const yes = buttonsOf(offer).find((b) => b.label === 'Oui, utiliser ces chiffres');
    if (!yes) throw new Error('no « Oui » button');
    const replies = await staff.say({ type: 'action', action: yes.action });
    const text = textOf(replies);
    // 56,5 % < 60 % (guide p. 39): « à renforcer », training first.
    expect(text).toContain('Bilan « commerçant individuel » : à renforcer.');
    expect(text).toContain('56,5 %');
    expect(text).toContain(
      'déclarées par les 23 commerçants de Sens qui ont fait leur autodiagnostic',
    );
    expect(text).toContain('Voulez-vous aller plus loin ?');
    expect(text).not.toContain('Question 1/3');
  });

  it('accepted by typing « oui » works the same', async () => {
    const { user } = await townWith(10, 7);
    const staff = user('web', 'conv-1', 'Sens');
    await staff.start('diagnostic-territoire');
    const text = textOf(await staff.say('oui'));
    // 70 % ≥ 60 %: validated.
    expect(text).toContain('Bilan « commerçant individuel » : validé.');
    expect(text).toContain('les 10 commerçants de Sens');
  });

  it('refused: the usual questions, starting at « Question 1/3 »', async () => {
    const { user } = await townWith(23, 13);
    const staff = user('slack', 'T1:U1', 'Sens');
    await staff.start('diagnostic-territoire');
    const replies = await staff.say('non');
    expect(replies.some((r) => r.progress?.current === 1 && r.progress.total === 3)).toBe(true);
    expect(textOf(replies)).toContain('connectée à internet');
    const bilan = textOf(await staff.say('80', '45', '30'));
    expect(bilan).toContain('45 %');
    expect(bilan).not.toContain('déclarées par les');
  });

  it('4 merchants only: no offer, the questions straight away', async () => {
    const { user } = await townWith(4, 4);
    const staff = user('slack', 'T1:U1', 'Sens');
    const text = textOf(await staff.start('diagnostic-territoire'));
    expect(text).not.toContain('Selon');
    expect(text).toContain('connectée à internet');
  });

  it('another town’s figures are never offered', async () => {
    const { user } = await townWith(23, 13);
    const staff = user('slack', 'T1:U1', 'Auxerre');
    const text = textOf(await staff.start('diagnostic-territoire'));
    expect(text).not.toContain('Selon');
  });
});
