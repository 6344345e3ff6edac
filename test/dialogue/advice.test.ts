/**
 * Issue 16 through the real dialogue: what a merchant or an élu reads. The territory's end is
 * one short summary (≤ 2 bubbles, about 1 200 characters on the web and on Telegram, no
 * sentence twice); below 60 % web-active the collectif part is not offered, with the reason;
 * what the instance or the person already said (data-town, TOWN_REGION) is not asked; every
 * reading of ours that is shown carries its label; no reply is longer than a phone screen.
 */
import { describe, expect, it } from 'vitest';
import { renderReplies } from '../../adapters/telegram/render.js';
import { renderWebReply } from '../../adapters/web/render.js';
import { getCatalog } from '../../catalog/load.js';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import { DIALOGUE_TEXT } from '../../src/dialogue/text/common.js';
import { detailsTitle } from '../../src/dialogue/text/fiche.js';
import { MERCHANT_TEXT } from '../../src/dialogue/text/merchant.js';
import {
  BILAN_TITLE,
  collectifClosedText,
  contactLead,
  TERRITORY_TEXT,
  VIEW_LABEL,
} from '../../src/dialogue/text/territory.js';
import type { Reply } from '../../src/reply/model.js';
import type { InboundEvent, StepResult, TurnContext } from '../../src/runtime/types.js';

const catalog = getCatalog();
const engine = createDialogueEngine({ catalog });
const ctx: TurnContext = { channel: 'console', userRef: 'u16', now: new Date('2026-03-15') };

const say = (text: string): InboundEvent => ({ type: 'text', text });
const act = (action: string): InboundEvent => ({ type: 'action', action });
const textOf = (replies: readonly Reply[]) => replies.map((r) => r.text).join('\n\n');
const buttonsOf = (replies: readonly Reply[]) => replies.flatMap((r) => r.buttons ?? []);

/** Plays events after a start; every step's result. */
function play(
  start: { entry?: string; town?: string },
  events: readonly InboundEvent[],
  e = engine,
): StepResult[] {
  const results: StepResult[] = [e.start({ type: 'start', ...start }, ctx)];
  for (const event of events) {
    const last = results[results.length - 1] as StepResult;
    results.push(e.step(last.snapshot, event, ctx));
  }
  return results;
}

/** The button whose label contains `words`, in a step's replies (cards included). */
function press(result: StepResult | undefined, words: string): InboundEvent {
  const all = (result?.replies ?? []).flatMap((r) => [
    ...(r.cards ?? []).flatMap((c) => c.buttons ?? []),
    ...(r.buttons ?? []),
  ]);
  const b = all.find((x) => x.label.includes(words));
  if (!b) throw new Error(`no button « ${words} » in ${all.map((x) => x.label).join(' | ')}`);
  return act(b.action);
}

/** The territory diagnostic to its end: individuel shares, the next choice, then more answers. */
function territory(individuel: string[], next: string, extra: string[], region = 'Bretagne') {
  const first = play({ entry: 'diagnostic-territoire' }, individuel.map(say));
  const atNext = first.at(-1);
  const rest = play({ entry: 'diagnostic-territoire' }, [
    ...individuel.map(say),
    press(atNext, next),
    ...extra.map(say),
    ...(region ? [say(region)] : []),
  ]);
  return { atNext, steps: rest, end: rest.at(-1) as StepResult };
}

/** 70 % on social networks, 40 % Google listings, 80 % stocks, four « non » in centre-ville. */
const bothParts = () =>
  territory(['90', '70', '40'], 'Les deux', ['80', '60', 'faible', 'non', 'non', 'non', 'non']);

/** Sentences of a text: split after . ! ? and at line breaks. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/u)
    .map((s) => s.replace(/^[-•\d.)\s]+/u, '').trim())
    .filter((s) => s.length > 25);
}

describe('the territory result is one short summary (issue 16)', () => {
  const scenarios = [
    {
      name: '45 % web-active, centre-ville with three « non »',
      run: () => territory(['80', '45', '30'], 'centre-ville', ['non', 'non', 'oui', 'non']),
    },
    {
      name: '70 % social networks, 40 % Google, both parts',
      run: () => bothParts(),
    },
    {
      name: 'everything unknown',
      run: () => territory(['je ne sais pas', 'je ne sais pas', 'je ne sais pas'], 'feuille', []),
    },
  ];

  it.each(scenarios)(
    '$name: ≤ 2 bubbles and ≈ 1 200 characters on the web and on Telegram',
    ({ run }) => {
      const { end } = run();
      const web = end.replies.map(renderWebReply);
      expect(web.length).toBeLessThanOrEqual(2);
      expect(web.reduce((n, r) => n + r.text.length, 0)).toBeLessThanOrEqual(1300);
      const telegram = renderReplies(end.replies);
      expect(telegram.length).toBeLessThanOrEqual(2);
      const visible = telegram.map((m) => m.text.replace(/<[^>]*>/g, '')).join('');
      expect(visible.length).toBeLessThanOrEqual(1300);
    },
  );

  it.each(scenarios)('$name: no sentence said twice', ({ run }) => {
    const all = sentences(textOf(run().end.replies));
    expect(all.length).toBeGreaterThan(3);
    expect(all.filter((s, i) => all.indexOf(s) !== i)).toEqual([]);
  });

  it('bilans one line each, « À lancer d’abord » before « Plus tard », the next ★ step, and buttons for the rest', () => {
    const { end } = scenarios[1]!.run();
    const text = textOf(end.replies);
    expect(text).toMatch(/Commerçant individuel : validé — [^\n]+\n/);
    expect(text).toMatch(/Collectif : validé — [^\n]+\n/);
    expect(text).toMatch(/Centre-ville : à renforcer — 4 « non » sur 4/);
    expect(text.indexOf('À lancer d’abord')).toBeGreaterThan(-1);
    expect(text.indexOf('À lancer d’abord')).toBeLessThan(text.indexOf('Plus tard'));
    expect(text).toMatch(/Prochaine étape ★ : /);
    const labels = buttonsOf(end.replies).map((b) => b.label);
    for (const wanted of [
      'Feuille de route : commerçants',
      'Feuille de route : collectif',
      'Feuille de route : centre-ville',
      'Les fiches à lancer',
      'Financements',
      'Contacts',
    ])
      expect(labels).toContain(wanted);
  });

  it('each button opens its part: a roadmap with its bilan, the fiches to launch, the funding', () => {
    const { steps, end } = scenarios[0]!.run();
    const events = (label: string) => [press(end, label)];
    const base = steps.at(-1) as StepResult;
    const open = (label: string) =>
      textOf(engine.step(base.snapshot, events(label)[0]!, ctx).replies);
    const roadmapPart = open(VIEW_LABEL.individuel);
    expect(roadmapPart).toMatch(/★ .*prochaine étape/s);
    expect(roadmapPart).toContain(TERRITORY_TEXT.nextStepMark.trim());
    expect(open(VIEW_LABEL['centre-ville'])).toContain(`Bilan « ${BILAN_TITLE['centre-ville']} »`);
    expect(open(VIEW_LABEL.launch)).toContain('Formation en ligne ou via un lieu dédié');
    expect(open(VIEW_LABEL.funding)).toContain(DIALOGUE_TEXT.fundingTitle);
  });

  it('the guide’s marketplace caution at 40 % Google / 70 % social networks: the place de marché waits for the listings', () => {
    const text = textOf(scenarios[1]!.run().end.replies);
    expect(text).toMatch(
      /À lancer d’abord : Référencement et communication sur les médias sociaux/,
    );
    expect(text).toMatch(
      /Plus tard : [^\n]*Place de marché numérique — 40 % des commerçants ont une fiche Google/,
    );
  });
});

describe('the merchant result fits the person (issue 16)', () => {
  const result = (answers: string[], objective?: string) => {
    const steps = play(objective ? {} : { entry: 'diagnostic-commercant' }, [
      ...(objective ? [act('aud:commercant'), act(`obj:${objective}`), act('diag:c')] : []),
      say('alimentaire'),
      ...answers.map(say),
      say('passer'),
    ]);
    return steps.at(-1) as StepResult;
  };

  it.each([
    ['très faible', ['non', 'non', 'non', 'non'], 'Formation en ligne ou via un lieu dédié'],
    [
      'faible',
      ['oui', 'non', 'non', 'non'],
      'Référencement et communication sur les médias sociaux',
    ],
    ['moyen', ['oui', 'oui', 'oui', 'non'], "Solution d'optimisation opérationnelle"],
    ['fort', ['oui', 'oui', 'oui', 'oui'], 'Site de vente en ligne'],
  ])(
    '%s: his level, his own fiches, the commune’s apart, the first step %s',
    (level, answers, first) => {
      const text = textOf(result(answers).replies);
      expect(text).toContain(`Votre niveau numérique estimé : ${level}.`);
      expect(text).toContain(`Votre première étape : ${first}`);
      expect(text).toMatch(
        /À proposer à votre mairie : Application de ville, Stationnement intelligent/,
      );
      // The commune's fiches are not among « ce que vous pouvez lancer ».
      const own = (result(answers).replies[0]?.cards ?? []).map((c) => c.title);
      expect(own).not.toContain('Application de ville');
      expect(own).not.toContain('Stationnement intelligent');
    },
  );

  it('with no objective chosen, one short question asks for one after the level; with one, it is not asked', () => {
    const without = result(['oui', 'non', 'oui', 'non']);
    expect(textOf(without.replies)).toContain(MERCHANT_TEXT.whatNext);
    const labels = buttonsOf(without.replies).map((b) => b.label);
    for (const o of catalog.objectives) expect(labels).toContain(o.menuLabel);
    const withObjective = result(['oui', 'non', 'oui', 'non'], 'o5');
    expect(textOf(withObjective.replies)).not.toContain(MERCHANT_TEXT.whatNext);
    expect(textOf(withObjective.replies)).toContain('Pour « Vendre par de nouveaux canaux »');
  });

  it('the sector is used for something he sees: an example of the guide from his trade, said to be our reading', () => {
    const text = textOf(result(['oui', 'non', 'non', 'non']).replies);
    expect(text).toMatch(
      /Un exemple du guide dans votre secteur : (La Cave Gourmande|Boulangerie « Dorée Mie »)/,
    );
  });
});

describe('the collectif part only once the individuel bilan is validated (guide p. 40)', () => {
  it('at 30 % web-active: not offered, no collectif question, and the bilan says why', () => {
    const steps = play({ entry: 'diagnostic-territoire' }, ['70', '30', '20'].map(say));
    const bilan = steps.at(-1) as StepResult;
    const text = textOf(bilan.replies);
    expect(text).toContain(collectifClosedText(catalog.rules.thresholds.individuelWebActive));
    expect(text).toContain('60 %');
    const labels = buttonsOf(bilan.replies).map((b) => b.label);
    expect(labels.some((l) => /collectif|deux volets/i.test(l))).toBe(false);
    // Typing « collectif » does not start its questions either.
    const typed = engine.step(bilan.snapshot, say('le volet collectif'), ctx);
    expect(textOf(typed.replies)).not.toContain('stocks');
    // Finishing gives the roadmap without any collectif question.
    const end = engine.step(bilan.snapshot, press(bilan, 'Voir la feuille de route'), ctx);
    expect(textOf(end.replies)).not.toMatch(/gestion des stocks|association des commerçants/i);
  });

  it('at 70 % web-active the collectif part is offered', () => {
    const bilan = play({ entry: 'diagnostic-territoire' }, ['90', '70', '60'].map(say)).at(-1);
    expect(buttonsOf(bilan?.replies ?? []).some((b) => /collectif/i.test(b.label))).toBe(true);
  });
});

describe('what is already known is not asked again', () => {
  it('data-town: the merchant diagnostic goes from the 4th answer to the consent for that town', () => {
    const steps = play({ entry: 'diagnostic-commercant', town: 'Sens' }, [
      say('alimentaire'),
      ...['oui', 'non', 'oui', 'non'].map(say),
    ]);
    const text = textOf(steps.flatMap((s) => s.replies));
    expect(text).not.toContain('Dans quelle ville');
    expect(textOf((steps.at(-1) as StepResult).replies)).toContain(
      'dans le bilan des commerçants de Sens',
    );
  });

  it('TOWN_REGION: the territory diagnostic ends without asking the region, with its contact', () => {
    const withRegion = createDialogueEngine({ catalog, region: 'Bretagne' });
    const steps = play(
      { entry: 'diagnostic-territoire' },
      [...['80', '45', '30'].map(say), say('non')],
      withRegion,
    );
    const text = textOf(steps.flatMap((s) => s.replies));
    expect(text).not.toContain('Dans quelle région');
    expect(text).toContain(contactLead('Bretagne'));
    // « contact » too answers at once.
    const contact = withRegion.step((steps.at(-1) as StepResult).snapshot, say('contact'), ctx);
    expect(textOf(contact.replies)).toContain('bretagne@');
  });

  it('a region given earlier in the conversation is kept when a diagnostic starts again', () => {
    const steps = play({}, [
      say('contact'),
      say('Occitanie'),
      { type: 'start', entry: 'diagnostic-territoire' },
      ...['80', '45', '30'].map(say),
      say('non'),
    ]);
    const last = textOf((steps.at(-1) as StepResult).replies);
    expect(last).not.toContain('Dans quelle région');
    expect(last).toContain(contactLead('Occitanie'));
  });
});

describe('every reading of ours that a person sees is labelled (rules.readings)', () => {
  /** Where each reading shows, and a words that mark it there: its label must be in that sentence. */
  const WHERE: Record<string, { run: () => readonly Reply[]; near: RegExp }> = {
    'merchant-level': {
      run: () => merchantResult(['oui', 'non', 'non', 'non']),
      near: /Prérequis du guide acquis/,
    },
    implies: {
      run: () => merchantResult(['non', 'non', 'oui', 'non']),
      near: /qui le suppose/,
    },
    builders: {
      run: () => merchantResult(['oui', 'non', 'non', 'non']),
      near: /vous apporte elle-même/,
    },
    'merchant-roles': {
      run: () => merchantResult(['oui', 'non', 'non', 'non']),
      near: /À proposer à votre mairie/,
    },
    'web-active-share': {
      run: () =>
        play({ entry: 'diagnostic-territoire' }, ['80', '45', '30'].map(say)).at(-1)!.replies,
      near: /la plus élevée des deux parts/,
    },
    'marketplace-listing': {
      run: () => bothParts().end.replies,
      near: /le guide veut la majorité bien référencés/,
    },
    'order-rule': {
      run: () => territory(['80', '45', '30'], 'feuille', []).end.replies,
      near: /tant que moins de 60 %/,
    },
    'stock-high': {
      run: () => {
        const { steps, end } = territory(['90', '70', '70'], 'collectif', ['30', '60', 'forte']);
        return engine.step((steps.at(-1) as StepResult).snapshot, press(end, 'collectif'), ctx)
          .replies;
      },
      near: /pour envisager une place de marché/,
    },
    'centre-ville-gaps': {
      run: () => {
        const { steps, end } = territory(['80', '45', '30'], 'centre-ville', [
          'non',
          'oui',
          'oui',
          'oui',
        ]);
        return engine.step((steps.at(-1) as StepResult).snapshot, press(end, 'centre-ville'), ctx)
          .replies;
      },
      near: /y répond/,
    },
    'sommaire-pages': {
      run: () => play({ entry: 'fiche-site-vente-en-ligne' }, []).at(-1)!.replies,
      near: /[Gg]uide p\. \d+/,
    },
    'example-sectors': {
      run: () => merchantResult(['oui', 'non', 'non', 'non']),
      near: /Un exemple du guide dans votre secteur/,
    },
  };

  function merchantResult(answers: string[]): readonly Reply[] {
    const steps = play({ entry: 'diagnostic-commercant' }, [
      say('alimentaire'),
      ...answers.map(say),
      say('passer'),
    ]);
    return (steps.at(-1) as StepResult).replies;
  }

  it('every reading marked « shown » has a place where the test looks for it', () => {
    const shown = catalog.rules.readings.filter((r) => r.shown).map((r) => r.id);
    expect(shown.filter((id) => !(id in WHERE))).toEqual([]);
  });

  it.each(catalog.rules.readings.filter((r) => r.shown))(
    '« $id » is shown with « $label »',
    (r) => {
      const where = WHERE[r.id];
      if (!where) throw new Error(`no place for the reading ${r.id}`);
      const text = textOf(where.run());
      const line = text.split(/\n+/).find((l) => where.near.test(l));
      expect(line, `no line matching ${where.near} in:\n${text}`).toBeDefined();
      expect(line).toContain(r.label);
    },
  );

  it('docs/catalog.md lists our readings apart from what the guide fixes itself', async () => {
    const { readFileSync } = await import('node:fs');
    const md = readFileSync(new URL('../../docs/catalog.md', import.meta.url), 'utf8');
    const ours = md.slice(md.indexOf('**Ce qui est notre lecture du guide**'));
    const guides = md.slice(
      md.indexOf('**Ce que le guide fixe lui-même :**'),
      md.indexOf('**Ce qui est notre lecture du guide**'),
    );
    for (const r of catalog.rules.readings) expect(ours).toContain(r.text.slice(0, 60));
    expect(guides).not.toMatch(/n’est jamais proposée en premier/);
  });
});

describe('no reply is longer than a phone screen (~1 500 characters)', () => {
  it('objective pages, fiches and their details, merchant results, territory parts', () => {
    const long: string[] = [];
    const check = (name: string, results: readonly StepResult[]) => {
      for (const r of results)
        for (const reply of r.replies)
          if (renderWebReply(reply).text.length > 1500) long.push(`${name}: ${reply.text.length}`);
    };
    for (const audience of ['commercant', 'collectivite', 'visiteur'])
      for (const o of catalog.objectives)
        check(`${audience} ${o.id}`, play({}, [act(`aud:${audience}`), act(`obj:${o.id}`)]));
    for (const f of catalog.fiches)
      check(f.id, play({ entry: `fiche-${f.id}` }, [act(`det:${f.id}`), act(`more:${f.id}`)]));
    for (const answers of [
      ['non', 'non', 'non', 'non'],
      ['oui', 'non', 'non', 'non'],
      ['oui', 'oui', 'oui', 'non'],
      ['oui', 'oui', 'oui', 'oui'],
      ['je ne sais pas', 'je ne sais pas', 'je ne sais pas', 'je ne sais pas'],
    ])
      check(
        answers.join(','),
        play({ entry: 'diagnostic-commercant' }, [
          say('alimentaire'),
          ...answers.map(say),
          say('passer'),
        ]),
      );
    const { steps, end } = bothParts();
    for (const view of [
      'commerçants',
      'collectif',
      'centre-ville',
      'fiches à lancer',
      'Financements',
    ])
      check(view, [engine.step((steps.at(-1) as StepResult).snapshot, press(end, view), ctx)]);
    expect(long).toEqual([]);
  });

  it('a fiche’s details come in two pages: « Détails (suite) » opens the rest', () => {
    const steps = play({ entry: 'fiche-place-de-marche' }, [act('det:place-de-marche')]);
    const first = steps.at(-1) as StepResult;
    expect(textOf(first.replies)).toContain(detailsTitle('Place de marché numérique', 1));
    const more = engine.step(first.snapshot, press(first, 'Détails (suite)'), ctx);
    expect(textOf(more.replies)).toContain(detailsTitle('Place de marché numérique', 2));
    // The example keeps its figures whole.
    expect(textOf([...first.replies, ...more.replies])).toContain('250 commerçants et 270 000');
  });
});
