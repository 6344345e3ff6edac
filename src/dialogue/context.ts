/**
 * The machine context inside a stored snapshot is untrusted data (a hand-edited database, a bug
 * in an older release): this schema checks it all the way down before the engine restores it.
 * A context that passes the shallow look of a snapshot but holds, say, an array where the answers
 * belong would otherwise fail every later turn of that conversation; refused here, the
 * conversation restarts kindly instead. `satisfies` keeps the schema in step with `ClicContext`.
 */
import { z } from 'zod';
import { Audience, ObjectiveId } from '../../catalog/schema.js';
import {
  CENTRE_VILLE_QUESTIONS,
  type ClicContext,
  COLLECTIF_QUESTIONS,
  INDIVIDUEL_QUESTIONS,
  MERCHANT_QUESTIONS,
  NEXT_CHOICES,
  type NextChoice,
  type QuestionId,
  RESULT_VIEWS,
  type ResultView,
  SEQUENCES,
  type Sequence,
} from '../../flows/types.js';

const QUESTION_IDS = [
  'sector',
  ...MERCHANT_QUESTIONS,
  'town',
  'consent',
  ...INDIVIDUEL_QUESTIONS,
  ...COLLECTIF_QUESTIONS,
  ...CENTRE_VILLE_QUESTIONS,
  'next',
  'region',
  'forget',
  'prefill',
] as const satisfies readonly QuestionId[];

const questionId = z.enum(QUESTION_IDS);
const count = z.number().int().nonnegative();
const share = z.number().min(0).max(100);
const text = z.string().max(200);

const promptSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('audience') }),
  z.object({ kind: z.literal('menu') }),
  z.object({ kind: z.literal('objective'), objective: ObjectiveId }),
  z.object({
    kind: z.literal('fiche'),
    id: text,
    details: z.boolean(),
    part: z.literal(2).optional(),
  }),
  z.object({ kind: z.literal('search') }),
  z.object({ kind: z.literal('contacts') }),
  z.object({ kind: z.literal('done'), flow: z.enum(['commercant', 'territoire']) }),
  z.object({
    kind: z.literal('view'),
    view: z.enum(RESULT_VIEWS as readonly [ResultView, ...ResultView[]]),
  }),
  z.object({
    kind: z.literal('question'),
    question: questionId,
    seq: count,
    progress: z.object({ current: count, total: count }).optional(),
    options: z.array(z.enum(NEXT_CHOICES as readonly [NextChoice, ...NextChoice[]])).optional(),
  }),
]);

/** Schema of the context the machine keeps (see `flows/types.ts#ClicContext`). */
export const clicContextSchema = z.object({
  audience: Audience.optional(),
  objective: ObjectiveId.optional(),
  town: text.optional(),
  region: text.optional(),
  sector: text.optional(),
  answers: z.record(z.string().max(64), z.union([z.string().max(200), z.number()])),
  at: z
    .object({
      sequence: z.enum(Object.keys(SEQUENCES) as [Sequence, ...Sequence[]]),
      index: z.number().int().min(0).max(20),
    })
    .optional(),
  seq: count,
  prompt: promptSchema,
  held: promptSchema.optional(),
  observatory: z
    .object({ town: text, respondents: count, connectes: share, web: share })
    .optional(),
  prefilled: z.object({ town: text, respondents: count }).optional(),
  aside: z.boolean().optional(),
  shown: z.array(text).max(14).optional(),
  rejected: z.array(text).max(14).optional(),
}) satisfies z.ZodType<ClicContext>;

/** True when `value` is a context the machine can safely continue from. */
export function isClicContext(value: unknown): value is ClicContext {
  return clicContextSchema.safeParse(value).success;
}
