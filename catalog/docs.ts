/**
 * Renders the catalog as `docs/catalog.md`: a French overview for town staff, generated from the
 * data so that it can never drift from what the assistant says. Pure and deterministic (no
 * dates, stable order): a test compares the committed file with a fresh rendering.
 */
import {
  type Catalog,
  type Cost,
  type Fiche,
  type Figure,
  type ImpactKey,
  type MaturityLevel,
  type Objective,
  type Roadmap,
  RoadmapId,
  type RoadmapQuestion,
  type SolutionType,
} from './schema.js';

// === Small Markdown helpers

/** Makes a value safe inside a Markdown table cell (pipes and line breaks would break the row). */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

function bullets(items: readonly string[]): string[] {
  return items.map((item) => `- ${item}`);
}

/** A GitHub-style anchor for a heading, so the table of contents links work. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

// === Labels

const TYPE_LABELS: Record<SolutionType, string> = {
  individuelle: 'individuelle (pour chaque commerçant)',
  collectif: 'collective (plusieurs commerçants)',
  'centre-ville': 'centre-ville (portée par la collectivité)',
};

/** A French title for each of our readings (`rules.readings`), by id. */
const READING_TITLES: Record<string, string> = {
  'merchant-level': 'Niveau numérique du commerçant',
  implies: 'Prérequis implicites',
  builders: 'Fiches qui construisent un prérequis',
  'merchant-roles': 'Solutions de la commune, pour un commerçant',
  'web-active-share': 'Part des commerçants actifs sur le web',
  'marketplace-listing': 'Place de marché et référencement',
  'order-rule': 'Portée de la règle d’ordre',
  'stock-high': 'Part « forte » de stocks informatisés',
  'structuration-scale': 'Échelle de structuration de l’association',
  'centre-ville-gaps': 'Questions centre-ville et fiches',
  'ranking-weights': 'Départage des fiches',
  'sommaire-pages': 'Numéros de page',
  'example-sectors': 'Secteur des exemples',
};

const AUDIENCE_LABELS: Record<string, string> = {
  commercant: 'commerçant',
  collectivite: 'collectivité',
  visiteur: 'visiteur du site',
};

function labels(catalog: Catalog) {
  const maturity = (id: MaturityLevel): string =>
    catalog.guide.maturityLevels.find((m) => m.id === id)?.label ?? id;
  const prereq = (code: string): string =>
    catalog.guide.prerequisites.find((p) => p.code === code)?.label ?? code;
  const impact = (key: ImpactKey | string): string =>
    catalog.guide.impacts.find((i) => i.key === key)?.label ?? key;
  const fiche = (id: string): string => {
    const f = catalog.fiches.find((x) => x.id === id);
    return f ? `fiche ${f.number} « ${f.title} »` : id;
  };
  const question = (id: string): string => {
    for (const r of catalog.roadmaps) {
      const q = r.questions.find((x) => x.id === id);
      if (q) return q.short;
    }
    return id;
  };
  const sector = (id: string): string =>
    catalog.guide.sectors.find((s) => s.id === id)?.label ?? id;
  // The guide's order (« Impacts commerçants » then « Impacts territoriaux »).
  const impactKeys: readonly ImpactKey[] = catalog.guide.impacts.map((i) => i.key);
  return { maturity, prereq, impact, impactKeys, fiche, question, sector };
}

type Labels = ReturnType<typeof labels>;

function figureLine(f: Figure): string {
  const source = f.source ? ` (source : ${f.source})` : '';
  return `**${f.value}** ${f.text}${source} — p.${f.page}`;
}

function costLines(costs: readonly Cost[]): string[] {
  return bullets(costs.map((c) => `${c.text} (p.${c.page})`));
}

// === Sections

function renderHeader(catalog: Catalog): string[] {
  const { source } = catalog.guide;
  return [
    '# Le guide en données : catalogue de Clic Centre-Ville',
    '',
    '<!-- Fichier généré par `npm run catalog:docs` à partir de `catalog/data/` : ne le modifiez pas à la main. -->',
    '',
    `Ce document présente tout ce que l'assistant sait du guide « ${source.title} — ${source.subtitle} » (${source.publisher}, ${source.edition.toLowerCase()}, ${source.url}). Les chiffres, les noms et les adresses sont ceux du guide ; les explications sont reformulées. Chaque élément indique la page du guide d'où il vient : la version texte du guide n'ayant pas de numéros de page, ces pages sont déduites de son sommaire.`,
    '',
    '## Sommaire',
    '',
    ...bullets(
      [
        'Les objectifs et leurs fiches',
        'Les feuilles de route',
        'Les six facteurs clés de succès',
        'Les conseils généraux',
        'Les chiffres de contexte',
        'Les contacts régionaux',
        'Les financements mentionnés dans le guide',
        'Nos conventions et ce qui n’a pas été transcrit',
      ].map((t) => `[${t}](#${anchor(t)})`),
    ),
  ];
}

function renderFiche(fiche: Fiche, l: Labels): string[] {
  const merchant =
    fiche.prerequisites.merchant.length > 0
      ? fiche.prerequisites.merchant.map((p) => `${p} ${l.prereq(p)}`).join(' ; ')
      : 'aucun';
  const territory =
    fiche.prerequisites.territory.length > 0
      ? fiche.prerequisites.territory
          .map((t) => `${t.code} ${l.prereq(t.code)}${t.condition ? ` (${t.condition})` : ''}`)
          .join(' ; ')
      : 'aucun';
  const out: string[] = [
    `#### Fiche ${fiche.number} — ${fiche.title}`,
    '',
    `*${fiche.summary}* — p.${fiche.page}`,
    '',
    fiche.description,
    '',
  ];
  if (fiche.objectiveNote) out.push(`> ${fiche.objectiveNote}`, '');
  out.push(
    ...table(
      [
        'Maturité numérique requise',
        'Type de solution',
        'Implication du porteur',
        'Externalisable',
      ],
      [
        [
          l.maturity(fiche.maturity),
          fiche.types.map((t) => TYPE_LABELS[t]).join(', '),
          fiche.involvement,
          `${fiche.externalisable ? 'oui' : 'non'}${fiche.externalisableExcept ? `, ${fiche.externalisableExcept}` : ''}`,
        ],
      ],
    ),
    '',
    `**Prérequis pour le commerçant :** ${merchant}.`,
    '',
    `**Prérequis pour le territoire :** ${territory}.`,
    '',
  );
  if (fiche.resources.merchant.length > 0)
    out.push('**Ressources pour le commerçant :**', '', ...bullets(fiche.resources.merchant), '');
  if (fiche.resources.collectivite.length > 0)
    out.push(
      '**Ressources pour la collectivité :**',
      '',
      ...bullets(fiche.resources.collectivite),
      '',
    );
  out.push(
    '**Impacts :**',
    '',
    ...table(
      ['Impact', 'Note'],
      l.impactKeys.map((key) => [l.impact(key), fiche.impacts[key]]),
    ),
    '',
    '**Points de vigilance :**',
    '',
    ...bullets(fiche.vigilance),
    '',
    fiche.examples.length > 1 ? "**Exemples d'initiatives :**" : "**Exemple d'initiative :**",
    '',
    ...bullets(
      fiche.examples.map(
        (e) =>
          `**${e.name}**${e.place ? ` (${e.place})` : ''} : ${e.text}${e.sector ? ` *(secteur : ${l.sector(e.sector)}, lu dans le nom de l’exemple)*` : ''}`,
      ),
    ),
    '',
  );
  if (fiche.actors.length > 0) out.push(`**Acteurs cités :** ${fiche.actors.join(', ')}.`, '');
  if (fiche.costs.length > 0) out.push('**Coûts indicatifs :**', '', ...costLines(fiche.costs), '');
  if (fiche.sectors)
    out.push(
      `**Secteurs (déduits, pas lus dans le guide) :** ${fiche.sectors.values.map(l.sector).join(', ')} — ${fiche.sectors.reason}`,
      '',
    );
  return out;
}

function renderObjective(objective: Objective, fiches: readonly Fiche[], l: Labels): string[] {
  const out: string[] = [
    `### Objectif ${objective.number} — ${objective.title}`,
    '',
    `p.${objective.page}`,
    '',
    `**De quoi s'agit-il ?** ${objective.what}`,
    '',
    `**Pourquoi ?** ${objective.why}`,
    '',
  ];
  if (objective.keyFigures.length > 0)
    out.push('**Chiffres clés :**', '', ...bullets(objective.keyFigures.map(figureLine)), '');
  out.push(
    '**Modes d’intervention de la collectivité :**',
    '',
    ...bullets(objective.interventionModes),
    '',
    '**Partenaires à mobiliser :**',
    '',
    ...bullets(objective.partners),
    '',
  );
  if (objective.costs.length > 0)
    out.push('**Coûts indicatifs :**', '', ...costLines(objective.costs), '');
  out.push(
    `**Solutions de cet objectif :** ${
      fiches.length > 0
        ? fiches.map((f) => `${f.number}. ${f.title} (${l.maturity(f.maturity)})`).join(' ; ')
        : 'aucune fiche pour l’instant'
    }.`,
    '',
  );
  for (const fiche of fiches) out.push(...renderFiche(fiche, l));
  return out;
}

function renderObjectives(catalog: Catalog, l: Labels): string[] {
  const out: string[] = [
    '## Les objectifs et leurs fiches',
    '',
    `Le guide classe ses ${catalog.fiches.length} solutions (fiches) sous ${catalog.objectives.length} objectifs formulés « Je souhaite… ». Chaque fiche demande un niveau de maturité numérique des commerçants : ${catalog.guide.maturityLevels.map((m) => m.label).join(', ')}.`,
    '',
    ...table(
      ['Fiche', 'Objectif', 'Maturité', 'Type'],
      catalog.fiches.map((f) => [
        `${f.number}. ${f.title}`,
        catalog.objectives.find((o) => o.id === f.objective)?.number.toString() ?? f.objective,
        l.maturity(f.maturity),
        f.types.map((t) => TYPE_LABELS[t]).join(', '),
      ]),
    ),
    '',
  ];
  for (const objective of catalog.objectives) {
    const fiches = catalog.fiches.filter((f) => f.objective === objective.id);
    out.push(...renderObjective(objective, fiches, l));
  }
  return out;
}

function questionLine(q: RoadmapQuestion): string {
  const kind =
    q.kind === 'share'
      ? 'part en %'
      : q.kind === 'yesno'
        ? 'oui / non'
        : `choix : ${q.options.map((o) => o.label).join(', ')}`;
  return `${q.text} (${kind})`;
}

function renderRoadmap(roadmap: Roadmap, l: Labels): string[] {
  return [
    `### ${roadmap.title}`,
    '',
    `p.${roadmap.page}`,
    '',
    `**Objectif :** ${roadmap.objective}`,
    '',
    `**Impact :** ${roadmap.impact}`,
    '',
    `**Fiches concernées :** ${roadmap.fiches.map(l.fiche).join(' ; ')}.`,
    '',
    '**Questions pour mesurer la maturité :**',
    '',
    ...bullets(roadmap.questions.map(questionLine)),
    '',
    `**Bilan :** ${roadmap.bilan.rule}`,
    '',
    ...bullets(roadmap.bilan.details),
    ...(roadmap.bilan.details.length > 0 ? [''] : []),
    ...table(
      ['Étape', '', 'Action', 'Moyens'],
      roadmap.steps.map((s) => [String(s.number), s.star ? '★' : '', s.title, s.means.join(' ; ')]),
    ),
    '',
  ];
}

function renderRoadmaps(catalog: Catalog, l: Labels): string[] {
  const out = [
    '## Les feuilles de route',
    '',
    'Pour chaque type de solution, le guide propose à la collectivité des questions pour mesurer la maturité numérique, une règle de bilan et cinq étapes. ★ : étape indispensable au succès du plan d’action.',
    '',
  ];
  // The guide's order (individuel, collectif, centre-ville), whatever the file names.
  const order = (r: Roadmap): number => RoadmapId.options.indexOf(r.id);
  const roadmaps = [...catalog.roadmaps].sort((a, b) => order(a) - order(b));
  for (const roadmap of roadmaps) out.push(...renderRoadmap(roadmap, l));
  return out;
}

function renderGuideWide(catalog: Catalog): string[] {
  const { guide, contacts } = catalog;
  return [
    '## Les six facteurs clés de succès',
    '',
    'p.37',
    '',
    ...guide.successFactors.flatMap((f) => [
      `### ${f.number}. ${f.title}`,
      '',
      ...bullets(f.points),
      '',
    ]),
    '## Les conseils généraux',
    '',
    'Quel que soit le projet numérique que vous lancez :',
    '',
    ...guide.generalAdvice.flatMap((a) => [`- **${a.title}.** ${a.text}`]),
    '',
    '## Les chiffres de contexte',
    '',
    ...table(
      ['Chiffre', 'Ce qu’il mesure', 'Source citée par le guide', 'Page'],
      guide.contextFigures.map((f) => [f.value, f.text, f.source ?? '—', `p.${f.page}`]),
    ),
    '',
    '## Les contacts régionaux',
    '',
    `${guide.support.text} (p.${guide.support.page})`,
    '',
    ...table(
      ['Région', 'Adresse'],
      contacts.regions.map((r) => [r.name, r.email]),
    ),
    '',
    `Source : p.${contacts.page}.`,
    '',
    '## Les financements mentionnés dans le guide',
    '',
    `> ${guide.funding.caveat}`,
    '',
    `${guide.funding.intro} (p.${guide.funding.page})`,
    '',
    ...bullets(guide.funding.measures.map((m) => `**${m.amount}** ${m.text}`)),
    '',
    ...(guide.funding.others.length > 0
      ? ['**Autres soutiens cités :**', '', ...bullets(guide.funding.others), '']
      : []),
  ];
}

function renderConventions(catalog: Catalog, l: Labels): string[] {
  const { rules } = catalog;
  const levelRow = (row: (typeof rules.levels)[number]): string => {
    const parts: string[] = [];
    if (row.allOf) parts.push(`tous de ${row.allOf.join(', ')}`);
    if (row.exactlyOneOf) parts.push(`exactement un de ${row.exactlyOneOf.join(', ')}`);
    if (row.anyOf) parts.push(`au moins un de ${row.anyOf.join(', ')}`);
    return `**${l.maturity(row.level)}** : ${parts.length > 0 ? parts.join(' et ') : 'sinon'}`;
  };
  const choiceQuestions = catalog.roadmaps.flatMap((r) =>
    r.questions.filter((q) => q.kind === 'choice'),
  );
  return [
    '## Nos conventions et ce qui n’a pas été transcrit',
    '',
    'Les règles que l’assistant applique sont des tables de `catalog/data/rules.yaml`, réglables sans toucher au code.',
    '',
    '**Ce que le guide fixe lui-même :**',
    '',
    `- **Seuils** : ${rules.thresholds.individuelWebActive} % de commerçants actifs sur le web pour passer aux étapes suivantes, objectif de ${rules.thresholds.listingTarget} % de fiches Google à jour (p.39) ; avant une place de marché, la majorité des commerçants bien référencés (p.42).`,
    `- **Conseil d’ordre** : « Prenez les étapes dans l’ordre et ne commencez pas par les projets qui nécessitent le plus fort niveau de maturité » (p.${rules.orderRule.page}).`,
    '',
    '**Ce qui est notre lecture du guide** (l’assistant le présente comme tel, avec la mention indiquée entre guillemets là où il le montre) :',
    '',
    ...rules.readings.map(
      (r) =>
        `- **${READING_TITLES[r.id] ?? r.id}** — ${r.shown ? `« ${r.label} »` : 'jamais montré tel quel'} : ${r.text}`,
    ),
    '',
    '**Le détail de ces lectures, tel que `rules.yaml` le règle :**',
    '',
    `- **Prérequis implicites** : ${Object.entries(rules.implies)
      .filter(([, implied]) => implied.length > 0)
      .map(([p, implied]) => `${p} suppose ${implied.join(', ')}`)
      .join(' ; ')}.`,
    `- **Niveau du commerçant** (la première ligne vraie l’emporte) : ${rules.levels.map(levelRow).join(' ; ')}.`,
    `- **Fiches qui construisent un prérequis manquant** : ${Object.entries(rules.builders)
      .map(([p, ids]) => `${p} → ${ids.map(l.fiche).join(', ')}`)
      .join(' ; ')}.`,
    `- **Ordre des étapes** : une solution de maturité « ${l.maturity(rules.orderRule.blockedMaturity)} » n’est jamais proposée en premier tant que le bilan « individuel » est sous le seuil. ${rules.orderRule.reason}`,
    `- **Part « forte » de stocks informatisés** : ${rules.thresholds.collectifStockHigh.value} %, par convention. ${rules.thresholds.collectifStockHigh.why}`,
    `- **Majorité bien référencée** : ${rules.thresholds.listingMajority} % de fiches Google à jour.`,
    ...choiceQuestions.map(
      (q) =>
        `- **Échelle « ${q.short} »** (${q.options.map((o) => o.label).join(', ')}) : le guide pose la question sans donner d’échelle ; ces options sont notre lecture.`,
    ),
    `- **Réponses « non » aux questions centre-ville** : ${Object.entries(rules.centreVilleGaps)
      .map(([q, gap]) => `${l.question(q)} → ${l.fiche(gap.fiche)}`)
      .join(' ; ')}.`,
    `- **Départage des fiches à égalité** (impacts qui comptent pour chaque public) : ${Object.entries(
      rules.rankingWeights,
    )
      .map(
        ([audience, weights]) =>
          `${AUDIENCE_LABELS[audience] ?? audience} : ${Object.keys(weights).map(l.impact).join(', ')}`,
      )
      .join(' ; ')}.`,
    '',
    'Dans le PDF, chaque fiche cochait par des pictogrammes les secteurs d’activité, les étapes du parcours client et les modes de facturation qui la concernent. La version texte a perdu ces coches : elles **n’ont pas été transcrites**. Seules les listes elles-mêmes sont reprises :',
    '',
    `- **Secteurs d’activité** : ${catalog.guide.sectors.map((s) => s.label).join(' ; ')}.`,
    `- **Étapes du parcours client** : ${catalog.guide.journeyStages.join(' ; ')}.`,
    '',
  ];
}

// === Entry point

/** The whole catalog as one Markdown document (French), ending with a single newline. */
export function renderCatalogMarkdown(catalog: Catalog): string {
  const l = labels(catalog);
  const lines = [
    ...renderHeader(catalog),
    '',
    ...renderObjectives(catalog, l),
    ...renderRoadmaps(catalog, l),
    ...renderGuideWide(catalog),
    ...renderConventions(catalog, l),
  ];
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
