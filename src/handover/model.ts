/**
 * A handover request: the person asked for someone of the town team. Its life:
 * `consent` (the person sees what will be shared) → `open` (posted in Slack) → `taken`
 * (« Je prends ») → `closed` (« Clore », or the person's « reprendre avec l’assistant »). A
 * request nobody takes in time stays `open` with `waitNotified` set: a later reply still reaches
 * the person. Stored as JSON in the conversation store, so read back as untrusted data.
 */
import type { Channel } from '../runtime/types.js';

export type HandoverState = 'consent' | 'open' | 'taken' | 'closed';

/** A message for the person, kept for the web widget's polling (`seq` grows by one). */
export interface HandoverMessage {
  readonly seq: number;
  readonly from: 'staff' | 'assistant';
  readonly text: string;
  /** The staff member's display name, when known. */
  readonly name?: string;
  readonly at: number;
}

export interface Handover {
  readonly v: 1;
  readonly key: string;
  readonly channel: Channel;
  readonly userRef: string;
  readonly state: HandoverState;
  readonly town?: string;
  readonly createdAt: number;
  readonly requestedAt?: number;
  /** The request message in Slack (its thread carries the exchange). */
  readonly slack?: { readonly channel: string; readonly ts: string };
  readonly takenBy?: string;
  readonly takenAt?: number;
  readonly firstAnswerAt?: number;
  readonly waitNotified?: boolean;
  /** The person's messages Slack did not take yet (an outage), oldest first, bounded. */
  readonly pending: readonly string[];
  /** Messages for the person (staff answers, notices), the last {@link MAX_MESSAGES}. */
  readonly messages: readonly HandoverMessage[];
  readonly seq: number;
}

/** Messages kept for the widget's polling. */
export const MAX_MESSAGES = 50;
/** Person's messages kept while Slack is away. */
export const MAX_PENDING = 20;

const STATES: readonly HandoverState[] = ['consent', 'open', 'taken', 'closed'];
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isStr = (v: unknown, max = 4000): v is string => typeof v === 'string' && v.length <= max;

/** Validates stored data; undefined when it is not a handover of `key`. */
export function parseHandover(data: unknown, key: string): Handover | undefined {
  if (!isRecord(data) || data.v !== 1 || data.key !== key) return undefined;
  const { channel, userRef, state, createdAt, seq } = data;
  if (!isStr(channel, 20) || !isStr(userRef, 200) || !isInt(createdAt) || !isInt(seq)) return;
  if (!STATES.includes(state as HandoverState)) return undefined;
  const pending = Array.isArray(data.pending) ? data.pending.filter((p) => isStr(p)) : [];
  const messages = Array.isArray(data.messages)
    ? data.messages.filter(
        (m): m is HandoverMessage =>
          isRecord(m) &&
          isInt(m.seq) &&
          (m.from === 'staff' || m.from === 'assistant') &&
          isStr(m.text) &&
          isInt(m.at) &&
          (m.name === undefined || isStr(m.name, 200)),
      )
    : [];
  const slack =
    isRecord(data.slack) && isStr(data.slack.channel, 40) && isStr(data.slack.ts, 40)
      ? { channel: data.slack.channel, ts: data.slack.ts }
      : undefined;
  return {
    v: 1,
    key,
    channel: channel as Channel,
    userRef,
    state: state as HandoverState,
    createdAt,
    seq,
    pending: pending.slice(-MAX_PENDING),
    messages: messages.slice(-MAX_MESSAGES),
    ...(isStr(data.town, 100) ? { town: data.town } : {}),
    ...(isInt(data.requestedAt) ? { requestedAt: data.requestedAt } : {}),
    ...(slack ? { slack } : {}),
    ...(isStr(data.takenBy, 200) ? { takenBy: data.takenBy } : {}),
    ...(isInt(data.takenAt) ? { takenAt: data.takenAt } : {}),
    ...(isInt(data.firstAnswerAt) ? { firstAnswerAt: data.firstAnswerAt } : {}),
    ...(data.waitNotified === true ? { waitNotified: true } : {}),
  };
}

/** True while the person's messages go to the town team. */
export function isActive(h: Handover | undefined): boolean {
  return h !== undefined && (h.state === 'open' || h.state === 'taken');
}

/** Adds a message for the person (bounded). */
export function withMessage(
  h: Handover,
  message: Omit<HandoverMessage, 'seq'>,
): { handover: Handover; message: HandoverMessage } {
  const stored: HandoverMessage = { ...message, seq: h.seq + 1 };
  return {
    handover: { ...h, seq: stored.seq, messages: [...h.messages, stored].slice(-MAX_MESSAGES) },
    message: stored,
  };
}
