/**
 * A plan in a few lines, for « Partager dans le canal » (Slack): the result at a glance and
 * what to launch first, with the link. Plain text; each channel escapes it its own way.
 */
import type { PlanView } from './view.js';

/** What a shared plan says. */
export interface PlanSummary {
  readonly title: string;
  readonly lines: readonly string[];
  readonly url: string;
}

/** The summary of a plan whose result is out (undefined while the diagnostic is answered). */
export function summarizePlan(view: PlanView, url: string): PlanSummary | undefined {
  if (view.kind === 'pending') return undefined;
  const first = view.first.map((f) => f.title);
  const where = view.town ? ` — ${view.town}` : '';
  if (view.kind === 'merchant') {
    return {
      title: `Plan d’action numérique d’un commerce${where}`,
      lines: [
        `Niveau numérique estimé : ${view.levelLabel} (notre lecture des prérequis du guide).`,
        ...(view.firstStep ? [`Première étape : ${view.firstStep.title}.`] : []),
        ...(first.length > 0 ? [`À lancer d’abord : ${first.join(', ')}.`] : []),
      ],
      url,
    };
  }
  return {
    title: `Plan d’action numérique du territoire${where}`,
    lines: [
      ...view.bilans.map((b) => `Bilan « ${b.title} » : ${b.statusLabel}.`),
      ...(first.length > 0 ? [`À lancer d’abord : ${first.join(', ')}.`] : []),
    ],
    url,
  };
}
