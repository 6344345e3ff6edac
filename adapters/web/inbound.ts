/**
 * Widget HTTP bodies → runtime events. The zod schemas double as the route schemas, so what the
 * handlers receive is already shaped; this module adds the rules zod cannot say well in French
 * (exactly one of `text` / `action`, the 1000-character limit).
 */
import { z } from 'zod';
import { MAX_ACTION_BYTES } from '../../src/reply/model.js';
import type { InboundEvent } from '../../src/runtime/types.js';

/** SPEC §6: message text ≤ 1000 characters. */
export const MAX_TEXT_CHARS = 1000;
/** SPEC §6: request bodies ≤ 4 KiB. */
export const MAX_BODY_BYTES = 4096;

/** French messages the API answers with (the widget may show them as they are). */
export const WEB_MESSAGES = {
  textTooLong: `Votre message est trop long : ${MAX_TEXT_CHARS} caractères au plus. Vous pouvez le raccourcir ?`,
  bodyTooLarge: 'Votre message est trop long pour être envoyé.',
  badJson: 'La requête est mal formée.',
  badRequest: 'La requête est incomplète ou mal formée.',
  textOrAction: 'Envoyez soit un texte, soit le choix d’un bouton.',
  notFound: 'Cette conversation n’existe pas ou a été effacée.',
  tooManyRequests: 'Vous envoyez beaucoup de messages : patientez un instant, puis réessayez.',
  forbiddenOrigin: 'Ce site n’est pas autorisé à utiliser l’assistant.',
  busy: 'L’assistant est occupé : réessayez dans un instant.',
  unavailable: 'Désolé, un souci technique est survenu. Réessayez dans un instant.',
} as const;

/** Entry points (SPEC §5): `objectif-3`, `fiche-<id>`, `diagnostic-commercant`… */
const entryId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

/** A town name as a site gives it in `data-town`: printable text, short. */
const townName = z
  .string()
  .max(100)
  .transform((s) =>
    s
      .replace(/\p{Cc}/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );

/** `POST /api/web/conversations` body. */
export const createConversationBody = z
  .object({
    start: entryId.optional(),
    town: townName.optional(),
  })
  .strict();

/** `POST /api/web/conversations/:id/messages` body. */
export const postMessageBody = z
  .object({
    text: z.string().max(MAX_TEXT_CHARS, { error: WEB_MESSAGES.textTooLong }).optional(),
    action: z
      .string()
      .min(1)
      .max(MAX_ACTION_BYTES)
      .regex(/^[\x21-\x7e]+$/)
      .optional(),
    clientMessageId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.action === undefined), {
    error: WEB_MESSAGES.textOrAction,
  });

/** Route params; an id that is not one of ours is simply an unknown conversation (404). */
export const conversationIdParam = z.object({ id: z.string() });

/** Conversation ids are 22 base64url characters (128 random bits). */
export function isConversationId(id: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(id);
}

/** The start event of a new web conversation. */
export function toStartEvent(
  body: z.infer<typeof createConversationBody>,
  defaultTown: string | undefined,
): InboundEvent & { type: 'start' } {
  const town = body.town || defaultTown;
  return {
    type: 'start',
    ...(body.start ? { entry: body.start } : {}),
    ...(town ? { town } : {}),
  };
}

/** A validated message body → the runtime event. */
export function toMessageEvent(body: z.infer<typeof postMessageBody>): InboundEvent {
  if (body.action !== undefined) return { type: 'action', action: body.action };
  return { type: 'text', text: body.text ?? '' };
}
