/**
 * How the SQLite store lays out a turn's rows: transcript entries as one JSON row per turn, the
 * outbox entry's statement parameters.
 */
import { withRepliesJson } from '../../reply/shared.js';
import type { OutboxWrite } from '../conversations.js';
import type { Envelope, TranscriptEntry } from '../envelope.js';

export { parseOr } from '../json.js';

/**
 * One transcript row: a turn's entries (the user's message and the bot's replies) share a row, as
 * a JSON array; a single entry is stored alone, as rows written before this were. Undefined when
 * there is nothing to write.
 */
export function transcriptRow(entries: readonly TranscriptEntry[]): string | undefined {
  if (entries.length === 0) return undefined;
  // The bot's replies are often the dialogue's shared ones: their JSON is written once.
  if (entries.length === 1) return withRepliesJson(entries[0] as TranscriptEntry);
  return `[${entries.map(withRepliesJson).join(',')}]`;
}

/** One outbox row as read back. */
export interface OutboxRow {
  readonly id: string;
  readonly key: string;
  readonly channel: string;
  readonly user_ref: string;
  readonly replies: string | null;
  readonly target: string | null;
  readonly sent: number;
  readonly attempts: number;
  readonly created_at: number;
  readonly lease_until: number;
  readonly done: number;
}

/** The statement parameters of a turn's outbox entry. */
export function outboxRow(
  envelope: Envelope,
  outbox: OutboxWrite,
  at: number,
): Record<string, unknown> {
  return {
    id: outbox.id,
    key: envelope.key,
    channel: envelope.channel,
    userRef: envelope.userRef,
    replies: JSON.stringify(outbox.replies),
    target: outbox.target === undefined ? null : JSON.stringify(outbox.target),
    now: at,
    lease: at + outbox.leaseMs,
    expiresAt: at + outbox.ttlMs,
  };
}
