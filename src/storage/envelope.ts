/**
 * The versioned envelope one conversation is stored in, and its zod schema. Whatever comes back
 * from a store is untrusted (a hand-edited database, an older release, a bug): it is parsed here
 * before the runtime uses it, and a record that does not parse is discarded, never trusted.
 */
import { z } from 'zod';
import type { Reply } from '../reply/model.js';
import { replySchema } from '../reply/schema.js';
import type { Channel } from '../runtime/types.js';

/** Channels a key may belong to (kept in step with the runtime's `Channel`). */
export const CHANNELS = [
  'web',
  'telegram',
  'slack',
  'console',
] as const satisfies readonly Channel[];

/** How many transcript entries we keep: enough for the widget to restore a conversation. */
export const MAX_TRANSCRIPT_ENTRIES = 100;
/** Longest user text we accept and store (SPEC §6: message text ≤ 1000 characters). */
export const MAX_USER_TEXT = 1000;

/** One line of the transcript: what the user said (as plain text) or what the bot answered. */
export interface TranscriptEntry {
  readonly from: 'user' | 'bot';
  /** ISO 8601 time. */
  readonly at: string;
  /** The user's text, or the label of the button they pressed. Plain text, never markup. */
  readonly text?: string;
  /** The action id of the button pressed. */
  readonly action?: string;
  /** The bot's replies in this turn. */
  readonly replies?: readonly Reply[];
}

/** A stored conversation. Times are epoch milliseconds. */
export interface Envelope {
  /** `{channel}:{id}`. */
  readonly key: string;
  readonly channel: Channel;
  /** Stable per-user reference on the channel; used for erase-by-user, never logged. */
  readonly userRef: string;
  readonly flowId: string;
  readonly flowVersion: number;
  /** Compare-and-set counter: 1 for the first write, +1 for every accepted turn. */
  readonly revision: number;
  /** The dialogue engine's persisted snapshot (opaque to the runtime). */
  readonly snapshot: unknown;
  readonly transcript: readonly TranscriptEntry[];
  /** The town the conversation is about, kept across a flow-version restart. */
  readonly town?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number;
}

const time = z.number().int().nonnegative();

/** Schema of one transcript entry. */
export const transcriptEntrySchema = z.object({
  from: z.enum(['user', 'bot']),
  at: z.string().min(1).max(40),
  text: z.string().max(MAX_USER_TEXT).optional(),
  action: z.string().max(64).optional(),
  replies: z.array(replySchema).max(50).optional(),
});

/** Schema of a stored envelope, applied to everything read back from a store. */
export const envelopeSchema = z.object({
  key: z.string().min(3).max(300),
  channel: z.enum(CHANNELS),
  userRef: z.string().min(1).max(300),
  flowId: z.string().min(1).max(100),
  flowVersion: z.number().int().nonnegative(),
  revision: z.number().int().positive(),
  snapshot: z.unknown().refine((v) => v !== undefined, 'snapshot missing'),
  transcript: z.array(transcriptEntrySchema).max(MAX_TRANSCRIPT_ENTRIES),
  town: z.string().max(100).optional(),
  createdAt: time,
  updatedAt: time,
  expiresAt: time,
});

/** Outcome of {@link parseEnvelope}: the envelope, or why it was refused (paths only, no values). */
export type EnvelopeParse =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly reason: string };

/**
 * Validates untrusted stored data as the envelope of `key`. The reason names fields only, so it
 * can be logged without leaking what the user wrote.
 */
export function parseEnvelope(data: unknown, key: string): EnvelopeParse {
  const result = envelopeSchema.safeParse(data);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((i) => i.path.join('.') || '(root)'))];
    return { ok: false, reason: `invalid fields: ${fields.slice(0, 5).join(', ')}` };
  }
  if (result.data.key !== key) return { ok: false, reason: 'key mismatch' };
  return { ok: true, envelope: result.data as Envelope };
}

/** Keeps the last {@link MAX_TRANSCRIPT_ENTRIES} entries. */
export function trimTranscript(entries: readonly TranscriptEntry[]): TranscriptEntry[] {
  return entries.slice(-MAX_TRANSCRIPT_ENTRIES);
}
