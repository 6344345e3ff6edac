/**
 * The French of the core's typed errors (bad answers or requests): one sentence per `what`,
 * quoting back what was received.
 */
import type { Catalog } from '../../../catalog/schema.js';
import type { CoreError, CoreErrorDetail, Received } from '../../core/index.js';

function receivedText(got: Received): string {
  if (typeof got === 'number') return Number.isNaN(got) ? 'NaN' : String(got);
  if (typeof got === 'string') return `« ${got} »`;
  return got.type;
}

/** The detail whose `what` can be K (some details share their shape between several). */
type DetailOf<K, D = CoreErrorDetail> = D extends { what: infer W }
  ? K extends W
    ? D
    : never
  : never;

type ByWhat = {
  readonly [K in CoreErrorDetail['what']]: (catalog: Catalog, d: DetailOf<K>) => string;
};

function questionOf(catalog: Catalog, roadmap: string, id: string) {
  return catalog.roadmaps.find((r) => r.id === roadmap)?.questions.find((q) => q.id === id);
}
const shortOf = (c: Catalog, roadmap: string, id: string) =>
  questionOf(c, roadmap, id)?.short ?? id;

const ERROR: ByWhat = {
  'share-range': (c, d) =>
    `La part pour « ${shortOf(c, d.roadmap, d.question)} » doit être comprise entre 0 et 100 % (reçu : ${receivedText(d.got)}).`,
  share: (c, d) =>
    `La part pour « ${shortOf(c, d.roadmap, d.question)} » doit être un nombre de 0 à 100 ou « je ne sais pas » (reçu : ${receivedText(d.got)}).`,
  yesno: (c, d) =>
    `Pour « ${shortOf(c, d.roadmap, d.question)} », répondez oui, non ou je ne sais pas (reçu : ${receivedText(d.got)}).`,
  choice: (c, d) => {
    const q = questionOf(c, d.roadmap, d.question);
    const options = q?.kind === 'choice' ? q.options.map((o) => o.label).join(', ') : '';
    return `Pour « ${q?.short ?? d.question} », choisissez parmi : ${options} (reçu : ${receivedText(d.got)}).`;
  },
  'territory-answers': () => 'Les réponses du diagnostic du territoire sont illisibles.',
  request: () => 'La demande de recommandation est illisible.',
  'merchant-profile': () => 'Le profil du commerçant est illisible.',
  territory: () => 'Le diagnostic du territoire est illisible.',
  'roadmap-answers': (_, d) => `Les réponses « ${d.roadmap} » sont illisibles.`,
  'missing-roadmap': (_, d) => `La feuille de route « ${d.roadmap} » manque au catalogue.`,
  'unknown-roadmap': (_, d) => `Feuille de route inconnue : « ${d.got} ».`,
  'unknown-objective': (_, d) => `Objectif inconnu : « ${d.got} ».`,
  'unknown-audience': (_, d) => `Public inconnu : « ${d.got} ».`,
  'unknown-question': (_, d) =>
    `Question inconnue pour la feuille de route « ${d.roadmap} » : « ${d.got} ».`,
};

/** A core error in one French sentence, to show. */
export function coreErrorText(catalog: Catalog, e: CoreError): string {
  const word = ERROR[e.detail.what] as (c: Catalog, d: CoreErrorDetail) => string;
  return word(catalog, e.detail);
}
