/**
 * The presenters' wording (issue 16): a merchant's voice for merchants, costs without the
 * fiche's name again, a « pourquoi » that gives a reason, text cut at a sentence and never in the
 * middle of a figure.
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import type { ClicContext } from '../../flows/types.js';
import { merchantAdvice } from '../../src/core/index.js';
import { clip, costHint, costWithoutName } from '../../src/dialogue/present-common.js';
import { objectiveReplies } from '../../src/dialogue/present-merchant.js';
import { spansToPlain } from '../../src/reply/plain.js';

const catalog = getCatalog();
const fiche = (id: string) => catalog.fiches.find((f) => f.id === id)!;
const context = (audience: ClicContext['audience']): ClicContext => ({
  ...(audience ? { audience } : {}),
  answers: {},
  seq: 0,
  prompt: { kind: 'menu' },
});

describe('text cut for a card', () => {
  it('cuts at a sentence, never inside a figure (« il réunissait 250… » was the bug)', () => {
    const text = fiche('place-de-marche').examples[0]!.text;
    for (const max of [60, 90, 120, 150, 180, 220]) {
      const cut = clip(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(/\d…$/);
      expect(cut).not.toMatch(/\d\s*…$/);
    }
    expect(clip(text, 400)).toContain('250 commerçants et 270 000 visiteurs uniques');
  });

  it('a short text is left whole', () => {
    expect(clip('Court.', 100)).toBe('Court.');
  });
});

describe('costs without the fiche’s name again', () => {
  it.each([
    ['site-vente-en-ligne', 'Site de vente en ligne'],
    ['paiement-sans-especes', 'Paiement sans espèces'],
    ['place-de-marche', 'Place de marché numérique'],
    ['communication-hors-medias-sociaux', 'Communication hors médias sociaux'],
  ])('%s: the cost no longer starts with « %s : »', (id, name) => {
    const f = fiche(id);
    expect(f.costs[0]?.text.startsWith(`${name} :`)).toBe(true);
    expect(costHint(f)?.startsWith(name)).toBe(false);
  });

  it('a prefix that names something else is kept (fiche 1: the training providers)', () => {
    const f = fiche('formation-en-ligne');
    const text = f.costs[0]!.text;
    expect(costWithoutName(f, text)).toBe(text);
  });
});

describe('objective pages titled for the audience', () => {
  const plain = (audience: ClicContext['audience']) =>
    objectiveReplies(
      catalog,
      context(audience),
      'o5',
      merchantAdvice(catalog, undefined, { audience: audience ?? 'visiteur', objective: 'o5' }),
    )[0]!;

  it('a merchant reads « Vendre par de nouveaux canaux », the guide’s « Je souhaite… » in a smaller line', () => {
    const reply = plain('commercant');
    const [title, guide] = reply.blocks;
    expect(title?.type === 'paragraph' && spansToPlain(title.spans)).toBe(
      'Vendre par de nouveaux canaux',
    );
    expect(guide?.type === 'paragraph' && guide.spans.every((s) => s.italic)).toBe(true);
    expect(reply.text).toContain('« Je souhaite permettre aux commerçants');
    expect(reply.text).toContain("page d'après le sommaire");
    expect(reply.text.length).toBeLessThan(1500);
  });

  it('a town reads the guide’s own title', () => {
    expect(plain('collectivite').text.startsWith('Je souhaite permettre aux commerçants')).toBe(
      true,
    );
  });

  it('three fiches of one level are not « les plus simples d’abord »; each card gives a reason in words', () => {
    const reply = plain('visiteur');
    expect(reply.text).not.toContain('les plus simples d’abord');
    expect(reply.text).toContain('maturité requise : fort');
    for (const card of reply.cards ?? []) {
      const why = card.lines.map(spansToPlain).find((l) => l.startsWith('Pourquoi : '));
      expect(why).toMatch(/^Pourquoi : pour son impact « .+ »/);
    }
  });
});
