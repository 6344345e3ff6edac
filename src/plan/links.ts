/**
 * « Mon plan d'action » in the conversation: when a result has just been shown, the dialogue's
 * replies get one more, with the page's link. Two thin wrappers, so that neither the flows nor
 * the runtime change, and an ordinary turn does no extra work:
 *
 * - {@link withPlanLink} wraps the dialogue engine: it compares the prompt before and after the
 *   step (two property reads) and, right after a result, adds a reply whose link is a
 *   placeholder — the engine knows neither the stored creation time nor PUBLIC_URL;
 * - {@link withPlanLinks} wraps the runtime: only when a turn's replies hold that placeholder,
 *   it reads the conversation's creation time (one store read) and puts the real URL in, or a
 *   note when PUBLIC_URL is not set. The transcript the widget restores is filled the same way.
 */
import { bold, link, makeReply, para } from '../reply/build.js';
import type { Reply } from '../reply/model.js';
import type { Runtime } from '../runtime/runtime.js';
import { afterEachStep, promptOf } from '../runtime/step-hook.js';
import type { DialogueEngine, StepResult } from '../runtime/types.js';
import type { PlanService } from './service.js';

/** The placeholder URL the engine wrapper writes (a reserved, never-resolving host). */
export const PLAN_PLACEHOLDER = 'https://plan.invalid/';

/** The button's label on every channel. */
export const PLAN_LABEL = 'Mon plan d’action';

/** The prompts after which a result has been shown, and the questions that lead to one. */
const BEFORE_RESULT = new Set([
  'P1',
  'P2',
  'P3',
  'P4',
  'town',
  'connectes',
  'reseaux-sociaux',
  'fiche-google',
  'stocks-informatises',
  'adherents-association',
  'structuration-association',
  'service-communication',
  'services-publics-en-ligne',
  'praticiens-reservation',
  'parkings-temps-reel',
  'next',
  'region',
]);

/**
 * True when the step just showed a result: the prompt was one of the diagnostic's questions and
 * is now the consent question (merchant) or the end of a diagnostic.
 */
export function resultShown(before: unknown, after: unknown): boolean {
  const prev = promptOf(before);
  const next = promptOf(after);
  if (!prev || !next || prev.kind !== 'question' || !BEFORE_RESULT.has(prev.question as string))
    return false;
  return (
    (next.kind === 'question' && next.question === 'consent') ||
    (next.kind === 'done' && (next.flow === 'commercant' || next.flow === 'territoire'))
  );
}

/** The reply that carries the link (or its placeholder). */
export function planLinkReply(url: string): Reply {
  return makeReply({
    blocks: [
      para(
        '📄 ',
        bold('Votre plan d’action a sa page'),
        ' : à garder, imprimer ou partager. Elle suit cette conversation et disparaît avec elle. ',
        link(PLAN_LABEL, url),
      ),
    ],
    links: [{ label: PLAN_LABEL, url }],
  });
}

/** Said instead of the link when PUBLIC_URL is not set (or the conversation cannot be read). */
export const PLAN_UNAVAILABLE_TEXT =
  'La page « Mon plan d’action » n’est pas disponible ici : l’adresse publique du service n’est pas configurée (PUBLIC_URL).';

function isPlaceholder(reply: Reply): boolean {
  return reply.links?.[0]?.url === PLAN_PLACEHOLDER;
}

/** Adds the placeholder reply after a result (before the consent question, when one follows). */
function addPlaceholder(step: StepResult, before: unknown): StepResult {
  if (!resultShown(before, step.snapshot)) return step;
  const replies = [...step.replies];
  const linkReply = planLinkReply(PLAN_PLACEHOLDER);
  const asksConsent = promptOf(step.snapshot)?.kind === 'question';
  if (asksConsent && replies.length > 0) replies.splice(replies.length - 1, 0, linkReply);
  else replies.push(linkReply);
  return { ...step, replies };
}

/** The dialogue engine, adding the plan link's placeholder after each result. */
export function withPlanLink<E extends DialogueEngine>(engine: E): E {
  return afterEachStep(engine, addPlaceholder);
}

/** Replaces the placeholders in `replies` with `url`, or with the note when there is none. */
export function fillPlanLinks(replies: readonly Reply[], url: string | undefined): Reply[] {
  return replies.map((r) => {
    if (!isPlaceholder(r)) return r;
    return url ? planLinkReply(url) : makeReply({ blocks: [para(PLAN_UNAVAILABLE_TEXT)] });
  });
}

/** The runtime, with the plan links filled in the turns' replies and in the transcripts. */
export function withPlanLinks(runtime: Runtime, plans: PlanService): Runtime {
  const urlOf = async (key: string): Promise<string | undefined> => {
    try {
      const ref = await plans.refOf(key);
      return ref ? plans.urlFor(ref) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    ...runtime,
    async turn(key, event, ctx, options) {
      const result = await runtime.turn(key, event, ctx, options);
      if (!result.replies.some(isPlaceholder)) return result;
      return { ...result, replies: fillPlanLinks(result.replies, await urlOf(key)) };
    },
    async transcript(key) {
      const entries = await runtime.transcript(key);
      if (!entries?.some((e) => e.replies?.some(isPlaceholder))) return entries;
      const url = await urlOf(key);
      return entries.map((e) =>
        e.replies?.some(isPlaceholder) ? { ...e, replies: fillPlanLinks(e.replies, url) } : e,
      );
    },
    forget: (channel, userRef) => runtime.forget(channel, userRef),
    close: () => runtime.close(),
  };
}
