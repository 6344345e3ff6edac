/**
 * zod schemas of the neutral reply model: replies read back from storage are untrusted, and the
 * web API can use the same schema for its response bodies.
 */
import { z } from 'zod';
import { MAX_ACTION_BYTES } from './model.js';

/** A span of plain text. */
export const spanSchema = z.object({
  text: z.string(),
  bold: z.boolean().optional(),
  italic: z.boolean().optional(),
  href: z.string().optional(),
});

/** A paragraph or a list. */
export const blockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('paragraph'), spans: z.array(spanSchema) }),
  z.object({ type: z.literal('list'), ordered: z.boolean(), items: z.array(z.array(spanSchema)) }),
]);

/** A button; the action id is short printable ASCII. */
export const buttonSchema = z.object({
  label: z.string().min(1),
  action: z
    .string()
    .max(MAX_ACTION_BYTES)
    .regex(/^[\x21-\x7e]+$/),
});

/** A button that opens a page. */
export const linkButtonSchema = z.object({
  label: z.string().min(1).max(75),
  url: z
    .string()
    .max(3000)
    .regex(/^https?:\/\//),
});

/** A card. */
export const cardSchema = z.object({
  title: z.string(),
  subtitle: z.string().optional(),
  lines: z.array(z.array(spanSchema)),
  buttons: z.array(buttonSchema).optional(),
});

/** One reply, as stored and as sent to the web widget. */
export const replySchema = z.object({
  text: z.string(),
  blocks: z.array(blockSchema),
  cards: z.array(cardSchema).optional(),
  buttons: z.array(buttonSchema).optional(),
  links: z.array(linkButtonSchema).max(3).optional(),
  progress: z
    .object({ current: z.number().int().min(0), total: z.number().int().min(1) })
    .optional(),
});
