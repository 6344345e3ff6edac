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
  /** The Slack reply it came from (its `ts`): a retried event finds it here. */
  readonly ref?: string;
}

/** A message of the person's on its way to the thread (`id`: its delivery id, for repeats). */
export interface PendingRelay {
  readonly id: string;
  readonly text: string;
  readonly at: number;
}

/** Failed attempts in a row, and when the next may run (epoch ms). */
export interface Backoff {
  readonly attempts: number;
  readonly at: number;
}

/** Relays counted in the minute that started at `start` (epoch ms). */
export interface RateWindow {
  readonly start: number;
  readonly count: number;
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
  /** When the person is told that nobody took it yet (posted time + HANDOVER_WAIT_MINUTES). */
  readonly waitUntil?: number;
  /**
   * The person's messages recorded but not in the thread yet (just received, Slack away, or over
   * the rate limit), oldest first, at most {@link MAX_PENDING}. Recorded before Slack is called.
   */
  readonly pending: readonly PendingRelay[];
  /** Delivery ids of the person's messages already in the thread (the last {@link MAX_RELAYED}). */
  readonly relayed: readonly string[];
  /** Messages for the person (staff answers, notices), the last {@link MAX_MESSAGES}. */
  readonly messages: readonly HandoverMessage[];
  readonly seq: number;
  /** Seqs of {@link messages} not pushed to the person's channel yet (Telegram), oldest first. */
  readonly undelivered: readonly number[];
  /** Retry schedules: the person's messages to Slack, the team's messages to the person. */
  readonly retry?: { readonly toSlack?: Backoff; readonly toPerson?: Backoff };
  /** Relays in the current minute, each way (rate limits). */
  readonly rate?: { readonly toSlack?: RateWindow; readonly toPerson?: RateWindow };
}

/** Messages kept for the widget's polling. */
export const MAX_MESSAGES = 50;
/** Person's messages kept while Slack is away. */
export const MAX_PENDING = 20;
/** Relay ids remembered once in the thread (repeats come within minutes). */
export const MAX_RELAYED = 50;

const STATES: readonly HandoverState[] = ['consent', 'open', 'taken', 'closed'];
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isStr = (v: unknown, max = 4000): v is string => typeof v === 'string' && v.length <= max;

/** Each item of `v` that `keep` accepts (none when `v` is not an array). */
const arrayOf = <T>(v: unknown, keep: (item: unknown) => item is T): T[] =>
  Array.isArray(v) ? v.filter(keep) : [];
const pair = <K extends string>(v: unknown, a: K, b: K): Record<K, number> | undefined =>
  isRecord(v) && isInt(v[a]) && isInt(v[b])
    ? ({ [a]: v[a], [b]: v[b] } as Record<K, number>)
    : undefined;

/** `{ toSlack, toPerson }` of two-number records, as stored. */
function bothWays<K extends string>(
  v: unknown,
  a: K,
  b: K,
): { toSlack?: Record<K, number>; toPerson?: Record<K, number> } | undefined {
  if (!isRecord(v)) return undefined;
  const toSlack = pair(v.toSlack, a, b);
  const toPerson = pair(v.toPerson, a, b);
  if (!toSlack && !toPerson) return undefined;
  return { ...(toSlack ? { toSlack } : {}), ...(toPerson ? { toPerson } : {}) };
}

/** A kept message of the person's; plain strings are what releases before ids stored. */
function pendingOf(v: unknown, index: number, at: number): PendingRelay | undefined {
  if (isStr(v)) return { id: `kept:${at}:${index}`, text: v, at };
  if (isRecord(v) && isStr(v.id, 300) && isStr(v.text) && isInt(v.at)) {
    return { id: v.id, text: v.text, at: v.at };
  }
  return undefined;
}

/** Validates stored data; undefined when it is not a handover of `key`. */
export function parseHandover(data: unknown, key: string): Handover | undefined {
  if (!isRecord(data) || data.v !== 1 || data.key !== key) return undefined;
  const { channel, userRef, state, createdAt, seq } = data;
  if (!isStr(channel, 20) || !isStr(userRef, 200) || !isInt(createdAt) || !isInt(seq)) return;
  if (!STATES.includes(state as HandoverState)) return undefined;
  const pending = (Array.isArray(data.pending) ? data.pending : [])
    .map((p, i) => pendingOf(p, i, createdAt))
    .filter((p): p is PendingRelay => p !== undefined);
  const messages = arrayOf(
    data.messages,
    (m): m is HandoverMessage =>
      isRecord(m) &&
      isInt(m.seq) &&
      (m.from === 'staff' || m.from === 'assistant') &&
      isStr(m.text) &&
      isInt(m.at) &&
      (m.name === undefined || isStr(m.name, 200)) &&
      (m.ref === undefined || isStr(m.ref, 40)),
  );
  const retry = bothWays(data.retry, 'attempts', 'at');
  const rate = bothWays(data.rate, 'start', 'count');
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
    relayed: arrayOf(data.relayed, (r): r is string => isStr(r, 300)).slice(-MAX_RELAYED),
    messages: messages.slice(-MAX_MESSAGES),
    undelivered: arrayOf(data.undelivered, isInt),
    ...(retry ? { retry: retry as Handover['retry'] & object } : {}),
    ...(rate ? { rate: rate as Handover['rate'] & object } : {}),
    ...(isInt(data.waitUntil) ? { waitUntil: data.waitUntil } : {}),
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
