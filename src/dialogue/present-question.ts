/**
 * A question of the diagnostics as a reply: « Question 2/4 — » and its text, then its buttons,
 * laid out by a table keyed by the question's answer kind; « Retour » after the first question.
 * The words are in `text/questions.ts` and `text/merchant.ts`; the roadmaps' questions come from
 * the catalog.
 */
import type { Catalog, MerchantPrereq } from '../../catalog/schema.js';
import {
  type ClicContext,
  type Prompt,
  QUESTION_KIND,
  type QuestionId,
} from '../../flows/types.js';
import { bold, button, type Inline, italic, makeReply, para } from '../reply/build.js';
import type { Block, Button, Reply } from '../reply/model.js';
import { actionId } from './interpret.js';
import { label } from './present-common.js';
import { backButton } from './render-understand.js';
import { MERCHANT_QUESTION_TEXT, prereqNote } from './text/merchant.js';
import {
  aboutShare,
  consentTail,
  NEXT_LABEL,
  prefillText,
  progressText,
  QUESTION_TEXT as Q,
} from './text/questions.js';

/** A roadmap question by id, with its roadmap. */
export function roadmapQuestion(catalog: Catalog, id: QuestionId) {
  for (const r of catalog.roadmaps) {
    const q = r.questions.find((x) => x.id === id);
    if (q) return { roadmap: r, question: q };
  }
  return undefined;
}

/** The reply that asks a question of the diagnostics. */
export function questionReply(
  catalog: Catalog,
  p: Extract<Prompt, { kind: 'question' }>,
  ctx: ClicContext,
): Reply {
  const ans = (value: string | number) => actionId.answer(value, p.seq);
  const unknown = () => button(Q.unknown, ans('unknown'));
  const head: Inline[] = p.progress
    ? [bold(progressText(p.progress.current, p.progress.total)), ' — ']
    : [];
  const q = p.question;
  const { blocks, buttons } = QUESTION_KINDS[QUESTION_KIND[q]]({
    catalog,
    p,
    q,
    ctx,
    ans,
    head,
    unknown,
  });
  // Every diagnostic question after the first has « Retour », to change the previous answer.
  const first =
    q === 'sector' ||
    q === 'forget' ||
    q === 'prefill' ||
    (q === 'connectes' && p.progress?.current === 1);
  if (!first) buttons.push(backButton());
  return makeReply({
    blocks,
    buttons,
    ...(p.progress ? { progress: p.progress } : {}),
  });
}

/** What a question's layout reads. */
interface QuestionScope {
  catalog: Catalog;
  p: Extract<Prompt, { kind: 'question' }>;
  q: QuestionId;
  ctx: ClicContext;
  ans: (value: string | number) => string;
  /** « Question 2/4 — » when the question has a progress. */
  head: Inline[];
  unknown: () => Button;
}

/** One layout per question kind: its text and its buttons (the words are in `text/`). */
const QUESTION_KINDS: Readonly<
  Record<
    (typeof QUESTION_KIND)[QuestionId],
    (s: QuestionScope) => { blocks: Block[]; buttons: Button[] }
  >
> = {
  sector: ({ catalog, ans }) => ({
    blocks: [para(Q.sector)],
    buttons: [
      ...catalog.guide.sectors.map((s) => button(label(s.label), ans(s.id))),
      button(Q.sectorOther, ans('unknown')),
    ],
  }),
  yesno: ({ catalog, q, ans, head, unknown }) => ({
    blocks: isMerchantQuestion(q)
      ? [para(...head, MERCHANT_QUESTION_TEXT[q]), para(italic(prereqNote(catalog, q)))]
      : [para(...head, roadmapQuestion(catalog, q)?.question.text ?? q)],
    buttons: [button(Q.yes, ans('yes')), button(Q.no, ans('no')), unknown()],
  }),
  share: ({ catalog, q, ans, head, unknown }) => ({
    blocks: [
      para(...head, roadmapQuestion(catalog, q)?.question.text ?? q),
      para(italic(Q.shareHint)),
    ],
    buttons: [...[25, 50, 75].map((n) => button(aboutShare(n), ans(n))), unknown()],
  }),
  structure: ({ catalog, q, ans, head, unknown }) => {
    const rq = roadmapQuestion(catalog, q);
    const options = rq?.question.kind === 'choice' ? rq.question.options : [];
    return {
      blocks: [para(...head, rq?.question.text ?? q)],
      buttons: [...options.map((o) => button(label(o.label), ans(o.id))), unknown()],
    };
  },
  town: ({ ans }) => ({ blocks: [para(Q.town)], buttons: [button(Q.skip, ans('skip'))] }),
  consent: ({ q, ctx, ans }) =>
    q === 'forget'
      ? {
          blocks: [para(Q.forget)],
          buttons: [button(Q.forgetYes, ans('yes')), button(Q.forgetNo, ans('no'))],
        }
      : {
          blocks: [
            para(Q.consentLead, bold(Q.consentBold), consentTail(ctx.town ?? Q.yourTown)),
            para(Q.consentWhat),
            para(italic(Q.consentWhy)),
          ],
          buttons: [button(Q.consentYes, ans('yes')), button(Q.no, ans('no'))],
        },
  prefill: ({ ctx, ans }) => ({
    blocks: [
      para(ctx.observatory ? prefillText(ctx.observatory) : Q.prefillUnknown),
      para(italic(Q.prefillNote)),
    ],
    buttons: [button(Q.prefillYes, ans('yes')), button(Q.prefillNo, ans('no'))],
  }),
  next: ({ p, ans }) => ({
    blocks: [para(Q.next)],
    buttons: (p.options ?? ['end']).map((o) => button(NEXT_LABEL[o], ans(o))),
  }),
  region: ({ catalog, ans }) => ({
    blocks: [para(Q.region)],
    buttons: [
      ...catalog.contacts.regions.map((r) => button(label(r.name), ans(r.id))),
      button(Q.skip, ans('skip')),
    ],
  }),
};

/** P1–P4: the merchant's self-diagnostic questions. */
export function isMerchantQuestion(q: QuestionId): q is MerchantPrereq {
  return q === 'P1' || q === 'P2' || q === 'P3' || q === 'P4';
}
