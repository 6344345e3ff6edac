/**
 * The versioned envelope one conversation is stored in, its zod schema and its one migration
 * chain. Whatever comes back from a store is untrusted (a hand-edited database, an older or a
 * newer release, a bug): it is parsed here before the runtime uses it, and a record that does not
 * parse is discarded, never trusted.
 *
 * Versions: the stored envelope carries its own schema version `v` ({@link ENVELOPE_VERSION}),
 * distinct from `flowVersion` (the dialogue's). Every backend writes it with
 * {@link encodeEnvelope} and reads with {@link decodeEnvelope}; {@link parseEnvelope} (the runtime,
 * the plan page) brings an older envelope up to date through {@link ENVELOPE_UPGRADES}, one step
 * per version, and refuses a newer one with a reason that says so. A record without `v` was
 * written before versions existed: version 1.
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
 * and small on purpose, for the current version (older ones are upgraded first). The snapshot is
 * opaque here (the engine checks it when it restores it).
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
  town: z.string().max(100).optional(),
  lastMessageId: z.string().min(1).max(100).optional(),
  createdAt: time,
  updatedAt: time,
  expiresAt: time,
});

// === Versions and the migration chain

/** A stored envelope on its way up the chain: its fields, and what a step set aside. */
export interface EnvelopeDraft {
  readonly data: Readonly<Record<string, unknown>>;
  /**
   * The transcript a version-1 envelope carried inside it (raw, unchecked), set aside by the
   * 1 → 2 step: the runtime moves it to the transcript store on the next turn.
   */
  readonly legacyTranscript?: unknown;
}

/** One step of the chain: a version-n envelope (without `v`) to version n + 1. */
export type EnvelopeUpgrade = (draft: EnvelopeDraft) => EnvelopeDraft;

/**
 * The migration chain: `ENVELOPE_UPGRADES[n - 1]` turns version n into n + 1. Append only; never
 * edit a step that has shipped. (SQLite's migration 3 also moved version-1 transcripts out in
 * place, once; Redis and the memory store hold them until this step meets them.)
 */
export const ENVELOPE_UPGRADES: readonly EnvelopeUpgrade[] = [
  // 1 → 2: the transcript moved out of the envelope, into its own rows or list (transcripts).
  ({ data: { transcript, ...data }, legacyTranscript }) =>
    transcript === undefined ? { data, legacyTranscript } : { data, legacyTranscript: transcript },
];

/** The version this release writes. */
export const ENVELOPE_VERSION = ENVELOPE_UPGRADES.length + 1;

/** Outcome of {@link upgradeEnvelope}. */
export type EnvelopeUpgradeResult =
  | ({ readonly ok: true } & EnvelopeDraft)
  | { readonly ok: false; readonly reason: string };

/**
 * Brings stored envelope data of any known version up to {@link ENVELOPE_VERSION} (without `v`).
 * Refuses what is not an object, a `v` that is not a version number, and a version newer than
 * this release (written by a later release: never guessed at).
 */
export function upgradeEnvelope(raw: unknown): EnvelopeUpgradeResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'invalid fields: (root)' };
  }
  const { v = 1, ...data } = raw as Record<string, unknown>;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    return { ok: false, reason: 'invalid fields: v' };
  }
  if (v > ENVELOPE_VERSION) {
    return {
      ok: false,
      reason: `envelope version ${v} is newer than this release (${ENVELOPE_VERSION})`,
    };
  }
  let draft: EnvelopeDraft = { data };
  for (const step of ENVELOPE_UPGRADES.slice(v - 1)) draft = step(draft);
  return draft.legacyTranscript === undefined
    ? { ok: true, data: draft.data }
    : { ok: true, data: draft.data, legacyTranscript: draft.legacyTranscript };
}

/** The stored text of an envelope: its fields with `v` first (what every backend writes). */
export function encodeEnvelope(envelope: Envelope): string {
  // An envelope is never an empty object: its JSON opens with its first field.
  return `{"v":${ENVELOPE_VERSION},${JSON.stringify(envelope).slice(1)}`;
}

/**
 * Stored text back to data (what every backend's `conversations.get` hands over): an envelope of
 * the current version as the envelope (`v` dropped); any other as stored, for
 * {@link parseEnvelope} to upgrade or refuse; text that is not JSON as the text itself.
 */
export function decodeEnvelope(text: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof data === 'object' && data !== null && 'v' in data && data.v === ENVELOPE_VERSION) {
    delete (data as { v?: unknown }).v;
  }
  return data;
}

/** The stored form every backend writes ({@link encodeEnvelope}) and reads (`decodeEnvelope`). */
export const envelopeText = { encode: encodeEnvelope, decode: decodeEnvelope } as const;

// === Parsing

/** Outcome of {@link parseEnvelope}: the envelope, or why it was refused (paths only, no values). */
export type EnvelopeParse =
  | {
      readonly ok: true;
      readonly envelope: Envelope;
      /**
       * The transcript a version-1 envelope still carries (raw, unchecked): the runtime moves it
       * to the transcript store on the next turn.
       */
      readonly legacyTranscript?: unknown;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Validates untrusted stored data as the envelope of `key`, upgraded to the current version. The
 * reason names fields (or the version) only, so it can be logged without leaking what the user
 * wrote.
 */
export function parseEnvelope(data: unknown, key: string): EnvelopeParse {
  const upgraded = upgradeEnvelope(data);
  if (!upgraded.ok) return upgraded;
  const result = envelopeSchema.safeParse(upgraded.data);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((i) => i.path.join('.') || '(root)'))];
    return { ok: false, reason: `invalid fields: ${fields.slice(0, 5).join(', ')}` };
  }
  if (result.data.key !== key) return { ok: false, reason: 'key mismatch' };
  const envelope = result.data as Envelope;
  return upgraded.legacyTranscript === undefined
    ? { ok: true, envelope }
    : { ok: true, envelope, legacyTranscript: upgraded.legacyTranscript };
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
