/**
 * The versioned envelope one conversation is stored in, and its zod schema. Whatever comes back
 * from a store is untrusted (a hand-edited database, an older release, a bug): it is parsed here
 * before the runtime uses it, and a record that does not parse is discarded, never trusted.
 */
import { z } from 'zod';
import type { Reply } from '../reply/model.js';
import { replySchema } from '../reply/schema.js';
import { CHANNELS, type Channel } from './channels.js';

export { CHANNELS };

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

/**
 * A pressed button's action and label, as `[action, label]`: the buttons of the last turn, kept
 * so that the next pressed button is written to the transcript by the label the user read.
 */
export type Choice = readonly [action: string, label: string];

/**
 * A stored conversation, kept small because it is read, validated and written on every turn.
 * Times are epoch milliseconds. The transcript lives beside it in the store (`store.transcripts`),
 * not inside it.
 */
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
  /** The buttons of the last turn, only on channels whose transcript is recorded. */
  readonly choices?: readonly Choice[];
  /** The town the conversation is about, kept across a flow-version restart. */
  readonly town?: string;
  /**
   * The client's id of the last turn's message (web `clientMessageId`), on channels whose
   * transcript is recorded: a repeat of it gets the transcript's last replies again.
   */
  readonly lastMessageId?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number;
}

const time = z.number().int().nonnegative();

/** Schema of one transcript entry (checked when the transcript is read back, never per turn). */
export const transcriptEntrySchema = z.object({
  from: z.enum(['user', 'bot']),
  at: z.string().min(1).max(40),
  text: z.string().max(MAX_USER_TEXT).optional(),
  action: z.string().max(64).optional(),
  replies: z.array(replySchema).max(50).optional(),
});

/** Most choices an envelope keeps (a turn shows far fewer buttons). */
export const MAX_CHOICES = 60;

/**
 * Schema of a stored envelope, applied to everything read back from a store on every turn: flat
 * and small on purpose. The snapshot is opaque here (the engine checks it when it restores it).
 * `transcript` is the field envelopes had before the transcript moved out: accepted unchecked
 * here, checked with {@link parseTranscript} and moved to the transcript store by the runtime.
 */
export const envelopeSchema = z.object({
  key: z.string().min(3).max(300),
  channel: z.enum(CHANNELS),
  userRef: z.string().min(1).max(300),
  flowId: z.string().min(1).max(100),
  flowVersion: z.number().int().nonnegative(),
  revision: z.number().int().positive(),
  snapshot: z.unknown().refine((v) => v !== undefined, 'snapshot missing'),
  choices: z
    .array(z.tuple([z.string().max(64), z.string().max(200)]))
    .max(MAX_CHOICES)
    .optional(),
  transcript: z.unknown().optional(),
  town: z.string().max(100).optional(),
  lastMessageId: z.string().min(1).max(100).optional(),
  createdAt: time,
  updatedAt: time,
  expiresAt: time,
});

/** Outcome of {@link parseEnvelope}: the envelope, or why it was refused (paths only, no values). */
export type EnvelopeParse =
  | {
      readonly ok: true;
      readonly envelope: Envelope;
      /**
       * The transcript an envelope written before the transcript moved out still carries (raw,
       * unchecked): the runtime moves it to the transcript store on the next turn.
       */
      readonly legacyTranscript?: unknown;
    }
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
  const { transcript, ...envelope } = result.data;
  return transcript === undefined
    ? { ok: true, envelope: envelope as Envelope }
    : { ok: true, envelope: envelope as Envelope, legacyTranscript: transcript };
}

/**
 * Checks transcript entries read back from a store (or from an older envelope): the valid ones,
 * in order; an entry that does not parse is left out rather than failing the whole transcript.
 */
export function parseTranscript(data: unknown): TranscriptEntry[] {
  if (!Array.isArray(data)) return [];
  const out: TranscriptEntry[] = [];
  for (const item of data.slice(-MAX_TRANSCRIPT_ENTRIES)) {
    const entry = transcriptEntrySchema.safeParse(item);
    if (entry.success) out.push(entry.data as TranscriptEntry);
  }
  return out;
}

/** Keeps the last {@link MAX_TRANSCRIPT_ENTRIES} entries. */
export function trimTranscript(entries: readonly TranscriptEntry[]): TranscriptEntry[] {
  return entries.slice(-MAX_TRANSCRIPT_ENTRIES);
}
