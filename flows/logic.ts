/**
 * Pure helpers behind the machine's named guards and actions: reading an answer for the current
 * question, handing out step tokens, and building the intents each transition emits. Kept out of
 * the machine definition so each piece can be read (and tested) on its own.
 */
import { getCatalog } from '../catalog/load.js';
import type { ObjectiveId } from '../catalog/schema.js';
import {
  type MerchantAdvice,
  merchantAdvice,
  merchantAnswersOf,
  territoryAssessment,
} from '../src/core/index.js';
import { collectifOpen } from '../src/core/territory.js';
import {
  type AnswerValue,
  type ClicContext,
  type ClicEvent,
  type Intent,
  type MachineEvent,
  type NextChoice,
  type Notice,
  type Position,
  type Prompt,
  type PromptDecision,
  type PromptIntent,
  QUESTION_KIND,
  type QuestionId,
  type Read,
  SEQUENCES,
  type Sequence,
  STRUCTURE_CHOICES,
  type Understood,
} from './types.js';

// === Outcomes: a context patch plus intents, chained step by step

/** What one transition does: how the context changes and what it asks the dialogue to say. */
export interface Outcome {
  readonly patch: Partial<ClicContext>;
  readonly intents: readonly Intent[];
}

type Step = (ctx: ClicContext) => Outcome;

/** Runs steps in order, each seeing the context left by the previous one. */
export function chain(ctx: ClicContext, ...steps: Step[]): Outcome {
  let current = ctx;
  let patch: Partial<ClicContext> = {};
  const intents: Intent[] = [];
  for (const step of steps) {
    const out = step(current);
    current = { ...current, ...out.patch };
    patch = { ...patch, ...out.patch };
    intents.push(...out.intents);
  }
  return { patch, intents };
}

/** The context of a fresh conversation (keeps the town given by the channel, if any). */
export function initialContext(town?: string): ClicContext {
  return {
    answers: {},
    // No questionnaire yet: a fresh context used as a patch also leaves the last one.
    at: undefined,
    seq: 0,
    prompt: { kind: 'audience' },
    ...(town ? { town } : {}),
  };
}

export const notice =
  (n: Notice): Step =>
  () => ({ patch: {}, intents: [{ type: 'notice', notice: n }] });

export const patch =
  (p: Partial<ClicContext>): Step =>
  () => ({ patch: p, intents: [] });

export const say =
  (intent: Intent | ((ctx: ClicContext) => Intent)): Step =>
  (ctx) => ({ patch: {}, intents: [typeof intent === 'function' ? intent(ctx) : intent] });

// === The core's decisions, made when the intents that need them are emitted

/** The merchant's advice for his result: his P1–P4 answers, objective and sector. */
function resultAdvice(ctx: ClicContext): MerchantAdvice {
  return merchantAdvice(getCatalog(), merchantAnswersOf(ctx.answers) ?? {}, {
    audience: 'commercant',
    ...(ctx.objective ? { objective: ctx.objective } : {}),
    ...(ctx.sector ? { sector: ctx.sector } : {}),
  });
}

/**
 * The decision a prompt's rendering needs (see {@link PromptDecision}): an objective's solutions
 * and a fiche's « pourquoi » are ranked for this person (a fiche, by its objective), the end of
 * the merchant diagnostic gives his first step when he answered, a part of the territory result
 * shows its assessment. None for the other prompts.
 */
function promptDecision(ctx: ClicContext, prompt: Prompt): PromptDecision {
  const catalog = getCatalog();
  const audience = ctx.audience ?? 'visiteur';
  switch (prompt.kind) {
    case 'objective':
      return {
        advice: merchantAdvice(catalog, merchantAnswersOf(ctx.answers), {
          audience,
          objective: prompt.objective,
          ...(ctx.sector ? { sector: ctx.sector } : {}),
        }),
      };
    case 'fiche': {
      if (prompt.details) return {};
      const objective = catalog.fiches.find((f) => f.id === prompt.id)?.objective;
      return {
        advice: merchantAdvice(catalog, merchantAnswersOf(ctx.answers), {
          audience,
          ...(objective ? { objective } : {}),
        }),
      };
    }
    case 'done':
      return prompt.flow === 'commercant' && merchantAnswersOf(ctx.answers)
        ? { advice: resultAdvice(ctx) }
        : {};
    case 'view':
      return {
        assessment: territoryAssessment(
          catalog,
          ctx.answers,
          ctx.objective ? { objective: ctx.objective } : {},
        ),
      };
    default:
      return {};
  }
}

/**
 * The intent that shows `prompt` (by default the one on screen) with the decision its rendering
 * needs: what the machine emits, and what the dialogue layer asks again when a turn leaves the
 * snapshot as it was.
 */
export function promptIntent(
  ctx: ClicContext,
  prompt: Prompt = ctx.prompt,
  decision: PromptDecision = promptDecision(ctx, prompt),
): PromptIntent {
  return { type: 'prompt', prompt, ...decision };
}

/** Shows a prompt that is not a question (menu, objective, fiche…) and remembers it. */
export const show =
  (prompt: Prompt, decision?: PromptDecision): Step =>
  (ctx) => ({
    patch: {
      prompt,
      aside: undefined,
      // Back at the menu or the welcome, fiches set aside by « ce n'est pas ça » count again.
      ...(prompt.kind === 'menu' || prompt.kind === 'audience'
        ? { rejected: undefined, shown: undefined }
        : {}),
    },
    intents: [promptIntent(ctx, prompt, decision)],
  });

/** Repeats whatever the user is currently asked, unchanged (same step token). */
export const reprompt: Step = (ctx) => ({
  patch: {},
  intents: [promptIntent(ctx)],
});

/** Asks a question with a new step token; `progress` is set for numbered questionnaires. */
export const ask =
  (
    question: QuestionId,
    extra: { progress?: { current: number; total: number }; options?: readonly NextChoice[] } = {},
  ): Step =>
  (ctx) => {
    const seq = ctx.seq + 1;
    const prompt: Prompt = { kind: 'question', question, seq, ...extra };
    return { patch: { seq, prompt, aside: undefined }, intents: [{ type: 'prompt', prompt }] };
  };

// === The position in the numbered questionnaires (`ctx.at`)

/** The questions of the questionnaire under way (none before the first one). */
export function questionsOf(at: Position | undefined): readonly QuestionId[] {
  return at ? SEQUENCES[at.sequence] : [];
}

/** The question reached is the last of its questionnaire (or none is under way). */
export function atLast(at: Position | undefined): boolean {
  return (at?.index ?? 0) >= questionsOf(at).length - 1;
}

/** The question reached is the first of its questionnaire (or none is under way). */
export function atFirst(at: Position | undefined): boolean {
  return (at?.index ?? 0) <= 0;
}

/** Asks the question at `index` of `sequence`, with « Question n/N », and moves there. */
export const askIn =
  (sequence: Sequence, index: number): Step =>
  (ctx) => {
    const questions = SEQUENCES[sequence];
    const question = questions[index];
    if (!question) return reprompt(ctx);
    return chain(
      ctx,
      patch({ at: { sequence, index } }),
      ask(question, { progress: { current: index + 1, total: questions.length } }),
    );
  };

/** Asks the last question of `sequence` (« Retour » from the step after it). */
export const askLast = (sequence: Sequence): Step =>
  askIn(sequence, SEQUENCES[sequence].length - 1);

/** Asks the question at `index` of the questionnaire under way. */
export const askAt =
  (index: number): Step =>
  (ctx) =>
    ctx.at ? askIn(ctx.at.sequence, index)(ctx) : reprompt(ctx);

/** Starts a numbered questionnaire at its first question. */
export const startSequence = (sequence: Sequence): Step => askIn(sequence, 0);

// === Reading answers

const YES_NO = new Set(['yes', 'no', 'unknown']);

/** The question the user is currently asked, if any. */
export function currentQuestion(
  ctx: ClicContext,
): Extract<Prompt, { kind: 'question' }> | undefined {
  return ctx.prompt.kind === 'question' ? ctx.prompt : undefined;
}

function readButton(prompt: Extract<Prompt, { kind: 'question' }>, value: AnswerValue): Read {
  const kind = QUESTION_KIND[prompt.question];
  const ok = (v: AnswerValue): Read => ({ kind: 'answer', value: v });
  switch (kind) {
    case 'yesno':
      return typeof value === 'string' && YES_NO.has(value) ? ok(value) : { kind: 'invalid' };
    case 'consent':
    case 'prefill':
      return value === 'yes' || value === 'no' ? ok(value) : { kind: 'invalid' };
    case 'share':
      return (typeof value === 'number' && value >= 0 && value <= 100) || value === 'unknown'
        ? ok(value)
        : { kind: 'invalid' };
    case 'structure':
      return value === 'unknown' || (STRUCTURE_CHOICES as readonly AnswerValue[]).includes(value)
        ? ok(value)
        : { kind: 'invalid' };
    case 'next':
      return (prompt.options ?? []).includes(value as NextChoice) ? ok(value) : { kind: 'invalid' };
    case 'town':
      return value === 'skip' ? ok(value) : { kind: 'invalid' };
    case 'sector':
    case 'region':
      return typeof value === 'string' && value !== 'yes' && value !== 'no'
        ? ok(value)
        : { kind: 'invalid' };
  }
}

function readText(
  prompt: Extract<Prompt, { kind: 'question' }>,
  event: Extract<ClicEvent, { type: 'TEXT' }>,
): Read {
  const u = event.u;
  const kind = QUESTION_KIND[prompt.question];
  const ok = (v: AnswerValue): Read => ({ kind: 'answer', value: v });
  switch (kind) {
    case 'yesno':
      // Partly yes (« un peu », « oui mais on ne l'anime pas ») counts as « non » for now; the
      // reply says so and how to change it.
      if (u.partial && u.yesno !== 'no' && u.yesno !== 'unknown') return ok('no');
      return u.yesno ? ok(u.yesno) : { kind: 'none' };
    case 'consent':
      // « non » is the default: anything but a clear yes counts as no, unclear text included.
      return ok(u.yesno === 'yes' ? 'yes' : 'no');
    case 'prefill':
      // A clear yes uses the observatory's figures; a no (or « je ne sais pas ») asks the usual
      // questions; other text falls back to search and the offer stands.
      if (u.yesno === 'yes') return ok('yes');
      return u.yesno ? ok('no') : { kind: 'none' };
    case 'share':
      if (u.share?.ok) return ok(u.share.value);
      // « 150 % » is asked back; a sentence that asks for something else (« une mairie de 8000
      // habitants voudrait… ») is no share to clarify.
      if (u.share && u.share.reason !== 'not-a-share' && !asksSomething(u))
        return { kind: 'clarify', text: u.share.clarify };
      return u.yesno === 'unknown' ? ok('unknown') : { kind: 'none' };
    case 'structure':
      if (u.structure) return ok(u.structure);
      return u.yesno === 'unknown' ? ok('unknown') : { kind: 'none' };
    case 'sector':
      if (u.sector) return ok(u.sector);
      return u.yesno === 'unknown' || u.skip ? ok('unknown') : { kind: 'none' };
    case 'next': {
      const options = prompt.options ?? [];
      if (u.next && (options.includes(u.next) || u.next === 'end')) return ok(u.next);
      if (u.yesno === 'yes' && options[0]) return ok(options[0]);
      if (u.yesno === 'no') return ok('end');
      return { kind: 'none' };
    }
    case 'town':
      if (u.skip || u.yesno === 'no' || u.yesno === 'unknown') return ok('skip');
      if (u.townNamed) return ok(u.townNamed);
      // A short text is a town name unless it asks for something else (one or two words are a
      // name even when they mean something to the search: « Sens », « Les Sables »).
      return u.town && (u.town.split(/\s+/).length <= 2 || !asksSomething(u))
        ? ok(u.town)
        : { kind: 'none' };
    case 'region':
      if (u.region) return ok(u.region);
      if (u.overseas) return ok('overseas');
      if (u.skip || u.yesno === 'no' || u.yesno === 'unknown') return ok('skip');
      return { kind: 'none' };
  }
}

/** The text asks for something (an intent or a need) rather than giving a plain value. */
export function asksSomething(u: Understood): boolean {
  return Boolean(
    u.contact ||
      u.funding ||
      u.offtopic ||
      u.social ||
      u.diag ||
      u.correction ||
      u.search.kind === 'objective' ||
      (u.search.kind === 'fiches' && !u.search.unsure),
  );
}

/**
 * How an event answers the current question: an answer, a stale button, or not an answer. The
 * machine calls it once per TEXT or ACTION and hands the result on in the event (`read`).
 */
export function readAnswer(ctx: ClicContext, event: ClicEvent): Read {
  const prompt = currentQuestion(ctx);
  if (event.type === 'ACTION') {
    if (event.action.kind !== 'answer') return { kind: 'none' };
    if (!prompt || event.action.seq !== prompt.seq) return { kind: 'stale' };
    return readButton(prompt, event.action.value);
  }
  if (event.type === 'TEXT' && prompt) return readText(prompt, event);
  return { kind: 'none' };
}

const NO_READ: Read = { kind: 'none' };

/** The reading an event carries: TEXT and ACTION once read by the machine, else none. */
export function readOf(event: MachineEvent): Read {
  return event.type === 'TEXT_READ' || event.type === 'ACTION_READ' ? event.read : NO_READ;
}

/** The answer value of an event known to be an answer (guards checked it first). */
export function answerOf(event: MachineEvent): AnswerValue {
  const read = readOf(event);
  return read.kind === 'answer' ? read.value : 'unknown';
}

/** Records the answer to the current question; « je ne sais pas » adds advice before moving on. */
export const record =
  (event: MachineEvent): Step =>
  (ctx) => {
    const prompt = currentQuestion(ctx);
    if (!prompt) return { patch: {}, intents: [] };
    const value = answerOf(event);
    const partial =
      event.type === 'TEXT_READ' &&
      QUESTION_KIND[prompt.question] === 'yesno' &&
      event.u.partial === true &&
      event.u.yesno !== 'no' &&
      event.u.yesno !== 'unknown';
    const intents: Intent[] =
      value === 'unknown' && QUESTION_KIND[prompt.question] !== 'sector'
        ? [{ type: 'notice', notice: { kind: 'noted-unknown', question: prompt.question } }]
        : partial
          ? [{ type: 'notice', notice: { kind: 'partial', question: prompt.question } }]
          : [];
    return { patch: { answers: { ...ctx.answers, [prompt.question]: value } }, intents };
  };

// === Dialogue-specific choices

/** Which roadmaps follow the individuel bilan, by objective (o1/o2 individuel only unless asked). */
export function nextOptions(objective: ObjectiveId | undefined): readonly NextChoice[] {
  switch (objective) {
    case 'o1':
    case 'o2':
      return ['end', 'collectif', 'centre-ville'];
    case 'o3':
      return ['centre-ville', 'end'];
    case 'o4':
    case 'o5':
      return ['collectif', 'end'];
    default:
      return ['collectif', 'centre-ville', 'both', 'end'];
  }
}

/** The questionnaire of the volet(s) chosen after the individuel bilan (none for « end »). */
export function extraSequence(choice: AnswerValue): Sequence | undefined {
  return choice === 'collectif' || choice === 'centre-ville' || choice === 'both'
    ? choice
    : undefined;
}

/**
 * After the individuel bilan: the objective's next parts, without the collectif part while the
 * individuel bilan is not validated (the guide's 60 % rule, p. 40; the bilan says why).
 */
export const askNext: Step = (ctx) => {
  const open = collectifOpen(getCatalog(), ctx.answers);
  const options = nextOptions(ctx.objective).filter(
    (o) => open || (o !== 'collectif' && o !== 'both'),
  );
  return chain(
    ctx,
    patch({ at: { sequence: 'individuel', index: SEQUENCES.individuel.length - 1 } }),
    ask('next', { options }),
  );
};

/** Restarts the merchant self-diagnostic from the sector question, answers cleared. */
export const startMerchant: Step = (ctx) =>
  chain(
    ctx,
    patch({ answers: {}, at: { sequence: 'merchant', index: 0 } }),
    patch({ audience: ctx.audience ?? 'commercant' }),
    // A trade already said (« je suis fleuriste… ») is not asked again: straight to P1.
    ctx.sector ? startSequence('merchant') : ask('sector'),
  );

/**
 * Restarts the territory diagnostic, answers cleared: with the town's observatory figures (5
 * merchants or more), first the offer to use them; otherwise the first individuel question.
 */
export const startTerritory: Step = (ctx) =>
  chain(
    ctx,
    patch({ answers: {}, audience: ctx.audience ?? 'collectivite', prefilled: undefined }),
    ctx.observatory
      ? (c) => chain(c, patch({ at: { sequence: 'individuel', index: 0 } }), ask('prefill'))
      : startSequence('individuel'),
  );

/**
 * The offer accepted: the individuel shares are the merchants' own — « sensibilisés » stands for
 * « connectés », the web-active share for both « réseaux sociaux » and « fiche Google » (the
 * replies say so) — then the individuel bilan, as after the three questions.
 */
export const acceptPrefill: Step = (ctx) => {
  const offer = ctx.observatory;
  if (!offer) return startSequence('individuel')(ctx);
  const prefilled = { town: offer.town, respondents: offer.respondents };
  return chain(
    ctx,
    patch({
      answers: {
        ...ctx.answers,
        connectes: offer.connectes,
        'reseaux-sociaux': offer.web,
        'fiche-google': offer.web,
      },
      prefilled,
    }),
    territoryBilan(prefilled),
    askNext,
  );
};

/** The offer refused: the usual three questions, « je saisis mes chiffres ». */
export const refusePrefill: Step = (ctx) =>
  chain(ctx, patch({ prefilled: undefined }), startSequence('individuel'));

/** The merchant result from the current context, with the core's advice. */
function merchantResultIntent(ctx: ClicContext, advice: MerchantAdvice): Intent {
  return {
    type: 'merchant-result',
    answers: ctx.answers,
    ...(ctx.sector ? { sector: ctx.sector } : {}),
    ...(ctx.objective ? { objective: ctx.objective } : {}),
    ...(ctx.town ? { town: ctx.town } : {}),
    advice,
  };
}

/** The merchant result, emitted from the current context. */
export const merchantResult: Step = (ctx) => ({
  patch: {},
  intents: [merchantResultIntent(ctx, resultAdvice(ctx))],
});

/**
 * The merchant result and the end of his diagnostic below it: one decision for both (its first
 * step is the closing button).
 */
export const merchantDone: Step = (ctx) => {
  const advice = resultAdvice(ctx);
  return chain(
    ctx,
    say(merchantResultIntent(ctx, advice)),
    show({ kind: 'done', flow: 'commercant' }, merchantAnswersOf(ctx.answers) ? { advice } : {}),
  );
};

/** The individuel bilan (its roadmap alone), from the current context. */
export const territoryBilan =
  (prefilled?: ClicContext['prefilled']): Step =>
  (ctx) => ({
    patch: {},
    intents: [
      {
        type: 'territory-bilan',
        answers: ctx.answers,
        ...(ctx.objective ? { objective: ctx.objective } : {}),
        ...(prefilled ? { prefilled } : {}),
        assessment: territoryAssessment(getCatalog(), ctx.answers, {
          ...(ctx.objective ? { objective: ctx.objective } : {}),
          only: 'individuel',
        }),
      },
    ],
  });

/** The territory result (bilans, roadmap, factors, funding, contact) from the current context. */
export const territoryResult: Step = (ctx) => ({
  patch: {},
  intents: [
    {
      type: 'territory-result',
      answers: ctx.answers,
      ...(ctx.objective ? { objective: ctx.objective } : {}),
      ...(ctx.region ? { region: ctx.region } : {}),
      ...(ctx.prefilled ? { prefilled: ctx.prefilled } : {}),
      assessment: territoryAssessment(
        getCatalog(),
        ctx.answers,
        ctx.objective ? { objective: ctx.objective } : {},
      ),
    },
  ],
});

/**
 * The previous question of the list and its corrected value, when the text corrects it
 * (« pour la question d'avant c'était plutôt non ») and the value fits that question.
 */
export function previousCorrection(
  ctx: ClicContext,
  event: MachineEvent,
): { question: QuestionId; value: AnswerValue } | undefined {
  if (event.type !== 'TEXT_READ' || !event.u.previous || !currentQuestion(ctx)) return undefined;
  const questions = questionsOf(ctx.at);
  const index = ctx.at?.index ?? 0;
  const question = questions[index - 1];
  if (index < 1 || !question || ctx.prompt.kind !== 'question') return undefined;
  if (ctx.prompt.question !== questions[index]) return undefined;
  const kind = QUESTION_KIND[question];
  const p = event.u.previous;
  if (kind === 'yesno' && p.yesno) return { question, value: p.yesno };
  if (kind === 'share' && p.share !== undefined) return { question, value: p.share };
  return undefined;
}
