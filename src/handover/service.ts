/**
 * The handover service: a person on Telegram or the widget asks for someone of the town team;
 * after their consent the request goes to the team's Slack channel with what the assistant
 * knows; the team answers in the message's thread and the answer reaches the person on their own
 * channel; « Clore » (or the person's « reprendre avec l’assistant ») gives the conversation back
 * to the assistant, at the step where it was (the dialogue's state is never touched here).
 *
 * Platform-free: Slack is reached through {@link HandoverSlackPort}, the person through one
 * {@link PersonDelivery} per channel, both supplied by the composition root.
 */
import { randomUUID } from 'node:crypto';
import { bold, button, list, makeReply, para } from '../reply/build.js';
import type { Reply } from '../reply/model.js';
import type { Channel, InboundEvent, TurnContext } from '../runtime/types.js';
import { nextOpening, type OpeningHours } from './hours.js';
import {
  type Backoff,
  type Handover,
  type HandoverMessage,
  isActive,
  MAX_PENDING,
  MAX_RELAYED,
  type PendingRelay,
  type RateWindow,
  withMessage,
} from './model.js';
import type { HandoverStore } from './store.js';
import { HANDOVER_ACTIONS, handoverWord } from './triggers.js';

// === Ports

/** A Slack message of a request (the adapter renders it as Block Kit, escaping every value). */
export interface HandoverRequestView {
  /** « Telegram », « Site web »… */
  readonly channelLabel: string;
  readonly town?: string;
  /** « Commerçant », « Collectivité », « Visiteur », when the conversation says. */
  readonly audience?: string;
  /** Context as label / value pairs (plain text). */
  readonly fields: readonly (readonly [string, string])[];
  /** The last exchanges, oldest first (plain text). */
  readonly exchanges: readonly { readonly from: 'person' | 'assistant'; readonly text: string }[];
  readonly state: 'open' | 'taken' | 'closed';
  readonly takenBy?: string;
  /** Who or what closed it, in French (« Claire », « la personne »). */
  readonly closedBy?: string;
}

export interface SlackRef {
  readonly channel: string;
  readonly ts: string;
}

/** What the service needs from Slack. Every method throws when Slack does not take it. */
export interface HandoverSlackPort {
  postRequest(channel: string, view: HandoverRequestView): Promise<SlackRef>;
  updateRequest(ref: SlackRef, view: HandoverRequestView): Promise<void>;
  /** A message in the request's thread: the person's words, or a notice of ours. */
  postInThread(ref: SlackRef, message: { from: 'person' | 'notice'; text: string }): Promise<void>;
  /** A staff member's first name or display name, when Slack tells. */
  displayName(userId: string): Promise<string | undefined>;
}

/** Sends replies to a person on their channel (Telegram: a normal message). */
export type PersonDelivery = (userRef: string, replies: readonly Reply[]) => Promise<void>;

/** What the request shows besides the last exchanges (the dialogue's context, when known). */
export type ContextProvider = (key: string) => Promise<{
  /** The conversation's town, when the turn did not say it. */
  readonly town?: string;
  /** Who the person is (« Commerçant »…), for the header. */
  readonly audience?: string;
  readonly fields: readonly (readonly [string, string])[];
  readonly exchanges: HandoverRequestView['exchanges'];
}>;

/** Counters and the first-answer histogram (src/metrics.ts). */
export interface HandoverMetrics {
  count(
    event:
      | 'requested'
      | 'taken'
      | 'closed'
      | 'timed_out'
      | 'relay_failed'
      | 'relay_retried'
      | 'relay_given_up'
      | 'rate_limited',
  ): void;
  firstAnswer(seconds: number): void;
}

export interface HandoverLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HandoverServiceOptions {
  readonly store: HandoverStore;
  readonly slack: HandoverSlackPort;
  readonly slackChannel: string;
  readonly logger: HandoverLogger;
  readonly hours?: OpeningHours;
  readonly waitMinutes?: number;
  readonly context?: ContextProvider;
  /** The regional Banque des Territoires contact given while one waits. */
  readonly regionalContact?: { readonly name: string; readonly email: string };
  readonly metrics?: HandoverMetrics;
  /** Writes a message for the person into the widget's transcript (web only). */
  readonly transcribe?: (
    key: string,
    entry:
      | { readonly from: 'user'; readonly text: string }
      | { readonly from: 'bot'; readonly replies: readonly Reply[] },
    at: Date,
  ) => Promise<void>;
  readonly now?: () => Date;
}

/** The answer to a person's event that the handover took. */
export interface Intercepted {
  readonly replies: readonly Reply[];
  /** A repeat (Slack retry, Telegram redelivery): nothing was done again. */
  readonly duplicate?: true;
}

export interface HandoverService {
  /**
   * Before the dialogue: handles `event` when it belongs to a handover (asking, consent, a
   * message while one is open…); undefined lets the dialogue answer. `relayId` identifies the
   * delivery (Telegram update, Slack event, web client message id) so that a repeat is relayed
   * once.
   */
  intercept(
    key: string,
    event: InboundEvent,
    ctx: TurnContext,
    relayId?: string,
  ): Promise<Intercepted | undefined>;
  /** « Je prends » / « Clore » on the request message. */
  staffAction(
    action: 'take' | 'close',
    ref: SlackRef,
    user: { id: string; name?: string },
  ): Promise<void>;
  /** A staff member's reply in a thread; `ts` is the reply's own id (relayed once). */
  staffReply(ref: SlackRef, reply: { ts: string; userId: string; text: string }): Promise<void>;
  /** Registers how a channel's people are reached (Telegram, once its bot exists). */
  deliverWith(channel: Channel, delivery: PersonDelivery): void;
  /**
   * The periodic check, on any instance, over the open requests of the store's index: sends the
   * person's kept messages to the thread and the team's undelivered messages to the person (in
   * order, once, under each request's lock, with a bounded backoff), and tells those whose
   * request waited past its deadline (once).
   */
  sweep(): Promise<SweepReport>;
  /**
   * What reached `key` from the town team after `seq` (the widget's polling): the request's
   * state, the last seq, and the messages as replies.
   */
  messagesAfter(key: string, seq: number): Promise<HandoverPoll>;
}

/** What one periodic check did. */
export interface SweepReport {
  /** People told that nobody took their request yet. */
  readonly told: number;
  /** Kept messages of people that reached the thread. */
  readonly relayed: number;
  /** Messages of the team (or notices) that had waited and reached people. */
  readonly delivered: number;
}

/** The answer to the widget's polling. */
export interface HandoverPoll {
  readonly state: Handover['state'] | 'none';
  readonly seq: number;
  readonly messages: readonly { readonly seq: number; readonly reply: Reply }[];
}

// === Words

/** The consent's first line; the list of what is shared follows, then the warning. */
export const CONSENT_INTRO =
  'Je peux transmettre votre demande à l’équipe de la ville, qui vous répondra ici. Seront partagés dans son espace Slack :';
/** The consent's last item: what the request quotes of the conversation. */
export const CONSENT_LAST_MESSAGES = 'vos derniers messages et les réponses de l’assistant';
export const CONSENT_SLACK_WARNING =
  'Attention : un message envoyé dans Slack ne peut pas être effacé de Slack par nous. Vous êtes d’accord ?';
export const CONSENT_YES = 'Oui, transmettre';
export const CONSENT_NO = 'Non merci';
export const SENT_TEXT =
  'C’est transmis à l’équipe de la ville. Écrivez ici : vos messages lui parviennent. Pour revenir à l’assistant, écrivez « reprendre avec l’assistant ».';
export const DECLINED_TEXT = 'D’accord, rien n’a été transmis. On continue ensemble.';
export const KEPT_TEXT =
  'Votre message est bien gardé : il sera transmis à l’équipe dès que possible.';
/** Over {@link PERSON_RELAYS_PER_MINUTE}: kept, and sent when the minute is over. */
export const RATE_TEXT =
  'Vous écrivez vite : ce message est bien gardé et partira vers l’équipe de la ville dans une minute.';
/** The kept messages could not reach Slack after {@link SLACK_TRIES} tries. */
export const GIVEN_UP_TEXT =
  'Je n’ai pas pu transmettre vos derniers messages à l’équipe de la ville malgré plusieurs essais. Réécrivez-les un peu plus tard : votre demande reste ouverte.';
export const SLACK_DOWN_TEXT =
  'Je n’arrive pas à joindre l’équipe de la ville pour l’instant. Réessayez dans quelques minutes.';
export const CLOSED_BY_PERSON_TEXT =
  'C’est noté, l’échange avec l’équipe de la ville est terminé. Vous reprenez avec l’assistant là où vous en étiez.';
export const CLOSED_BY_STAFF_TEXT =
  'L’équipe de la ville a clos l’échange. Vous reprenez avec l’assistant là où vous en étiez.';
export const IN_HANDOVER_HINT =
  'Vous êtes en lien avec l’équipe de la ville : écrivez votre message. Pour revenir à l’assistant, écrivez « reprendre avec l’assistant ».';
export const STALE_TEXT = 'Cette demande n’est plus en cours. On continue ensemble.';

// Notices in the request's thread, for the team.
export const PERSON_LEFT_NOTICE = 'La personne a repris avec l’assistant.';
export const ERASED_NOTICE =
  'La personne a demandé l’effacement de ses données : la demande est close de notre côté.';
export const DELIVERY_FAILED_NOTICE =
  'Ce message n’a pas pu être remis à la personne pour l’instant : nouvel essai dans quelques minutes.';
export const DELIVERY_GIVEN_UP_NOTICE =
  'Des messages n’ont pas pu être remis à la personne malgré plusieurs essais (elle a peut-être bloqué l’assistant sur Telegram).';
export const STAFF_RATE_NOTICE =
  'Messages envoyés rapidement : ils seront remis à la personne dans une minute, dans l’ordre.';

// === Limits

/** The person's messages relayed to the thread per minute; more are kept for the next minute. */
export const PERSON_RELAYS_PER_MINUTE = 6;
/** The team's messages pushed to a person (Telegram) per minute; more wait for the next one. */
export const STAFF_RELAYS_PER_MINUTE = 10;
/** Tries of the person's kept messages before the person is told they could not go. */
export const SLACK_TRIES = 12;
/** Tries of a message to the person before the team is told it could not be delivered. */
export const PERSON_TRIES = 6;
/** First wait after a failure, doubled each time up to {@link RETRY_MAX_MS}. */
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 10 * 60_000;
const MINUTE_MS = 60_000;

/** « Claire, de l’équipe de la ville, vous répond. » */
export function takenText(name: string | undefined): string {
  return name
    ? `${name}, de l’équipe de la ville, vous répond.`
    : 'Une personne de l’équipe de la ville vous répond.';
}

const CHANNEL_LABELS: Readonly<Record<Channel, string>> = {
  web: 'Site web',
  telegram: 'Telegram',
  slack: 'Slack',
  console: 'Terminal',
};

// === Retries and rate limits (pure)

type Way = 'toSlack' | 'toPerson';
type Ways<T> = { readonly toSlack?: T; readonly toPerson?: T };

/** `ways` with `way` set to `value` (undefined: removed). */
function setWay<T>(ways: Ways<T> | undefined, way: Way, value: T | undefined): Ways<T> {
  const { [way]: _old, ...rest } = ways ?? {};
  return value === undefined ? rest : { ...rest, [way]: value };
}

/** The schedule after one more failure at `at`: 30 s, 1 min, 2 min… up to 10 min. */
function backoffAfter(previous: Backoff | undefined, at: number): Backoff {
  const attempts = (previous?.attempts ?? 0) + 1;
  return { attempts, at: at + Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS) };
}

/** The rate window with one more relay at `at`, or undefined when the minute is full. */
function counted(
  window: RateWindow | undefined,
  at: number,
  limit: number,
): RateWindow | undefined {
  const current = window && at - window.start < MINUTE_MS ? window : { start: at, count: 0 };
  return current.count < limit ? { start: current.start, count: current.count + 1 } : undefined;
}

/** Why the person's messages are still kept after a try. */
type Held = 'rate' | 'down' | 'lost';

// === The service

export function createHandoverService(options: HandoverServiceOptions): HandoverService {
  const { store, slack, logger } = options;
  const now = options.now ?? (() => new Date());
  const waitMs = (options.waitMinutes ?? 10) * 60_000;
  const deliveries = new Map<Channel, PersonDelivery>();
  const count: HandoverMetrics['count'] = (event) => options.metrics?.count(event);

  const notice = (text: string, buttons: readonly [string, string][] = []): Reply =>
    makeReply({
      blocks: [para(text)],
      ...(buttons.length > 0 ? { buttons: buttons.map(([l, a]) => button(l, a)) } : {}),
    });

  /** A stored message as the person reads it. */
  const replyOf = (m: HandoverMessage): Reply =>
    m.from === 'staff' ? staffReplyOf(m.text, m.name) : notice(m.text);

  function waitingText(at: Date): string {
    const next = options.hours ? nextOpening(options.hours, at) : undefined;
    const when = next
      ? `L’équipe de la ville est absente pour le moment : elle vous répondra ${next}.`
      : 'Personne de l’équipe n’a encore pu prendre votre demande.';
    const contact = options.regionalContact
      ? ` En attendant, la Banque des Territoires (${options.regionalContact.name}) : ${options.regionalContact.email}.`
      : '';
    return `${when} Votre demande reste ouverte : la réponse arrivera ici.${contact}`;
  }

  /** What goes to Slack about the person: the same for the consent and the request. */
  async function shared(h: Handover): Promise<Awaited<ReturnType<ContextProvider>>> {
    const none: Awaited<ReturnType<ContextProvider>> = { fields: [], exchanges: [] };
    const context = options.context ? await options.context(h.key).catch(() => none) : none;
    const town = h.town ?? context.town;
    return { ...context, ...(town ? { town } : {}) };
  }

  /** The consent: each thing that will be shared, with its value, and Slack's warning. */
  async function consentReply(h: Handover): Promise<Reply> {
    const context = await shared(h);
    const items = [
      ...(context.town ? [`Commune : ${context.town}`] : []),
      ...context.fields.map(([label, value]) => `${label} : ${value}`),
      CONSENT_LAST_MESSAGES,
    ];
    return makeReply({
      blocks: [para(CONSENT_INTRO), list(items), para(CONSENT_SLACK_WARNING)],
      buttons: [
        button(CONSENT_YES, HANDOVER_ACTIONS.consent),
        button(CONSENT_NO, HANDOVER_ACTIONS.decline),
      ],
    });
  }

  async function view(h: Handover, closedBy?: string): Promise<HandoverRequestView> {
    const context = await shared(h);
    const state = h.state === 'consent' ? 'open' : h.state;
    return {
      channelLabel: CHANNEL_LABELS[h.channel],
      ...(context.town ? { town: context.town } : {}),
      ...(context.audience ? { audience: context.audience } : {}),
      fields: context.fields,
      exchanges: context.exchanges,
      state,
      ...(h.takenBy ? { takenBy: h.takenBy } : {}),
      ...(closedBy ? { closedBy } : {}),
    };
  }

  /** A notice in the request's thread; Slack away, it is only logged. */
  async function threadNotice(h: Handover, text: string): Promise<void> {
    if (!h.slack) return;
    await slack.postInThread(h.slack, { from: 'notice', text }).catch((error: unknown) => {
      logger.warn({ channel: 'handover', code: 'notice-failed', err: nameOf(error) }, 'slack');
    });
  }

  /**
   * Sends the person's recorded messages to the thread, oldest first, each marked sent as soon as
   * Slack took it; stops at the rate limit or at a failure (then the check tries again later).
   */
  async function toSlack(h: Handover): Promise<{ handover: Handover; sent: number; held?: Held }> {
    let cur = h;
    let sent = 0;
    while (cur.slack && cur.pending.length > 0) {
      const at = now().getTime();
      const next = cur.pending[0] as PendingRelay;
      const window = counted(cur.rate?.toSlack, at, PERSON_RELAYS_PER_MINUTE);
      if (!window) {
        const opens = (cur.rate?.toSlack?.start ?? at) + MINUTE_MS;
        const attempts = cur.retry?.toSlack?.attempts ?? 0;
        cur = { ...cur, retry: setWay(cur.retry, 'toSlack', { attempts, at: opens }) };
        await store.put(cur);
        count('rate_limited');
        return { handover: cur, sent, held: 'rate' };
      }
      try {
        await slack.postInThread(cur.slack, { from: 'person', text: next.text });
      } catch (error) {
        logger.warn({ channel: 'handover', code: 'relay-failed', err: nameOf(error) }, 'slack');
        count('relay_failed');
        const backoff = backoffAfter(cur.retry?.toSlack, at);
        if (backoff.attempts >= SLACK_TRIES) {
          cur = { ...cur, pending: [], retry: setWay(cur.retry, 'toSlack', undefined) };
          await store.put(cur);
          count('relay_given_up');
          return { handover: cur, sent, held: 'lost' };
        }
        cur = { ...cur, retry: setWay(cur.retry, 'toSlack', backoff) };
        await store.put(cur);
        return { handover: cur, sent, held: 'down' };
      }
      if ((cur.retry?.toSlack?.attempts ?? 0) > 0) count('relay_retried');
      cur = {
        ...cur,
        pending: cur.pending.slice(1),
        relayed: [...cur.relayed, next.id].slice(-MAX_RELAYED),
        rate: setWay(cur.rate, 'toSlack', window),
        retry: setWay(cur.retry, 'toSlack', undefined),
      };
      await store.put(cur);
      sent++;
    }
    return { handover: cur, sent, ...(cur.pending.length > 0 ? { held: 'down' as const } : {}) };
  }

  /**
   * Pushes the messages the person has not received yet (Telegram), oldest first, each marked
   * delivered as soon as it went; the team's are rate-limited. A failure is told in the thread
   * once, retried by the check, and given up after {@link PERSON_TRIES} tries.
   */
  async function toPerson(h: Handover): Promise<{ handover: Handover; delivered: number }> {
    const delivery = deliveries.get(h.channel);
    let cur = h;
    let delivered = 0;
    if (!delivery) {
      // Nobody to push to (the widget polls): nothing waits.
      if (cur.undelivered.length > 0) {
        cur = { ...cur, undelivered: [] };
        await store.put(cur);
      }
      return { handover: cur, delivered };
    }
    while (cur.undelivered.length > 0) {
      const at = now().getTime();
      const message = cur.messages.find((m) => m.seq === cur.undelivered[0]);
      if (!message) {
        cur = { ...cur, undelivered: cur.undelivered.slice(1) };
        continue;
      }
      const staff = message.from === 'staff';
      const window = staff
        ? counted(cur.rate?.toPerson, at, STAFF_RELAYS_PER_MINUTE)
        : cur.rate?.toPerson;
      if (staff && !window) {
        const opens = (cur.rate?.toPerson?.start ?? at) + MINUTE_MS;
        const alreadyHeld = cur.retry?.toPerson?.at === opens;
        const attempts = cur.retry?.toPerson?.attempts ?? 0;
        cur = { ...cur, retry: setWay(cur.retry, 'toPerson', { attempts, at: opens }) };
        await store.put(cur);
        count('rate_limited');
        if (!alreadyHeld) await threadNotice(cur, STAFF_RATE_NOTICE);
        return { handover: cur, delivered };
      }
      try {
        await delivery(cur.userRef, [replyOf(message)]);
      } catch (error) {
        logger.warn({ channel: 'handover', code: 'deliver-failed', err: nameOf(error) }, 'relay');
        count('relay_failed');
        const backoff = backoffAfter(cur.retry?.toPerson, at);
        const givenUp = backoff.attempts >= PERSON_TRIES;
        cur = givenUp
          ? { ...cur, undelivered: [], retry: setWay(cur.retry, 'toPerson', undefined) }
          : { ...cur, retry: setWay(cur.retry, 'toPerson', backoff) };
        await store.put(cur);
        if (givenUp) count('relay_given_up');
        if (givenUp || backoff.attempts === 1) {
          await threadNotice(cur, givenUp ? DELIVERY_GIVEN_UP_NOTICE : DELIVERY_FAILED_NOTICE);
        }
        return { handover: cur, delivered };
      }
      if ((cur.retry?.toPerson?.attempts ?? 0) > 0) count('relay_retried');
      cur = {
        ...cur,
        undelivered: cur.undelivered.slice(1),
        retry: setWay(cur.retry, 'toPerson', undefined),
        ...(staff ? { rate: setWay(cur.rate, 'toPerson', window) } : {}),
      };
      await store.put(cur);
      delivered++;
    }
    return { handover: cur, delivered };
  }

  /**
   * A message for the person: recorded (for the widget's polling, the transcript, and as not yet
   * delivered) before it is pushed, so that a crash or a refusal leaves it for the check.
   */
  async function say(h: Handover, message: Omit<HandoverMessage, 'seq'>): Promise<Handover> {
    const { handover, message: stored } = withMessage(h, message);
    await options.transcribe?.(
      h.key,
      { from: 'bot', replies: [replyOf(stored)] },
      new Date(stored.at),
    );
    const queued: Handover = deliveries.has(h.channel)
      ? { ...handover, undelivered: [...handover.undelivered, stored.seq] }
      : handover;
    await store.put(queued);
    return (await toPerson(queued)).handover;
  }

  /** Posts the request; the person sees what comes next. */
  async function request(h: Handover): Promise<Intercepted> {
    const at = now();
    let ref: SlackRef;
    try {
      ref = await slack.postRequest(options.slackChannel, await view({ ...h, state: 'open' }));
    } catch (error) {
      logger.warn({ channel: 'handover', code: 'request-failed', err: nameOf(error) }, 'slack');
      count('relay_failed');
      return { replies: [notice(SLACK_DOWN_TEXT)] };
    }
    const outOfHours = options.hours ? nextOpening(options.hours, at) !== undefined : false;
    const open: Handover = {
      ...h,
      state: 'open',
      slack: ref,
      requestedAt: at.getTime(),
      ...(outOfHours ? { waitNotified: true } : { waitUntil: at.getTime() + waitMs }),
    };
    // Indexed first: a request the check cannot find would never be told about its wait.
    await store.track(h.key, true);
    await store.put(open);
    count('requested');
    if (outOfHours) count('timed_out');
    const replies = [notice(SENT_TEXT)];
    if (outOfHours) replies.push(notice(waitingText(at)));
    return { replies };
  }

  /** Marks the request closed and says so on its Slack message (the check forgets it later). */
  async function close(
    h: Handover,
    by: 'person' | 'staff' | 'erased',
    staffName?: string,
  ): Promise<Handover> {
    const closed: Handover = { ...h, state: 'closed' };
    await store.put(closed);
    count('closed');
    if (h.slack) {
      const who =
        by === 'staff'
          ? (staffName ?? 'l’équipe')
          : by === 'erased'
            ? 'la personne (données effacées)'
            : 'la personne';
      await slack.updateRequest(h.slack, await view(closed, who)).catch((error: unknown) => {
        logger.warn({ channel: 'handover', code: 'update-failed', err: nameOf(error) }, 'slack');
      });
      if (by === 'person') await threadNotice(closed, PERSON_LEFT_NOTICE);
    }
    return closed;
  }

  /**
   * The person's message to the thread: recorded in the request first (under the lock), then
   * sent, then marked sent. A repeat of the same delivery finds it recorded and is not sent twice.
   */
  async function relay(h: Handover, id: string, text: string): Promise<Intercepted> {
    if (h.pending.length >= MAX_PENDING) return { replies: [notice(SLACK_DOWN_TEXT)] };
    await options.transcribe?.(h.key, { from: 'user', text }, now());
    const recorded: Handover = {
      ...h,
      pending: [...h.pending, { id, text, at: now().getTime() }],
    };
    await store.put(recorded);
    const { held } = await toSlack(recorded);
    if (held === 'rate') return { replies: [notice(RATE_TEXT)] };
    if (held === 'down') return { replies: [notice(KEPT_TEXT)] };
    if (held === 'lost') return { replies: [notice(GIVEN_UP_TEXT)] };
    return { replies: [] };
  }

  /** One open request, at the periodic check (under its lock). */
  async function visit(key: string, at: Date): Promise<SweepReport> {
    let h = await store.get(key);
    let relayed = 0;
    let delivered = 0;
    let told = 0;
    if (h && isActive(h) && h.pending.length > 0 && (h.retry?.toSlack?.at ?? 0) <= at.getTime()) {
      const tried = await toSlack(h);
      relayed += tried.sent;
      h = tried.handover;
      if (tried.held === 'lost')
        h = await say(h, { from: 'assistant', text: GIVEN_UP_TEXT, at: at.getTime() });
    }
    if (h && h.undelivered.length > 0 && (h.retry?.toPerson?.at ?? 0) <= at.getTime()) {
      const pushed = await toPerson(h);
      delivered += pushed.delivered;
      h = pushed.handover;
    }
    const waited =
      h?.state === 'open' &&
      !h.waitNotified &&
      h.firstAnswerAt === undefined &&
      h.waitUntil !== undefined &&
      h.waitUntil <= at.getTime();
    if (h && waited) {
      count('timed_out');
      const text = waitingText(at);
      h = await say({ ...h, waitNotified: true }, { from: 'assistant', text, at: at.getTime() });
      told++;
    }
    if (!h || (!isActive(h) && h.undelivered.length === 0)) await store.track(key, false);
    return { told, relayed, delivered };
  }

  return {
    async intercept(key, event, ctx, relayId) {
      // Slack users are the team itself; the terminal has nobody to push to.
      if (ctx.channel !== 'telegram' && ctx.channel !== 'web') return undefined;
      const word = event.type === 'text' ? handoverWord(event.text) : undefined;
      const action =
        event.type === 'action' && event.action.startsWith('handover:') ? event.action : undefined;
      // The common case (no handover word, no request) costs one read and no lock.
      if (!word && !action && (await store.get(key)) === undefined) return undefined;
      return store.exclusive(key, async () => {
        const h = await store.get(key);
        if (h && isActive(h) && event.type === 'text' && word !== 'forget' && word !== 'end') {
          // A message for the team: de-duplicated on the request's own records, not before.
          const id = relayId ?? `once:${randomUUID()}`;
          if (h.relayed.includes(id) || h.pending.some((p) => p.id === id)) {
            // Recorded before a crash or an outage: what is still kept goes now, once.
            if (h.pending.length > 0 && (h.retry?.toSlack?.at ?? 0) <= now().getTime()) {
              await toSlack(h);
            }
            return { replies: [], duplicate: true };
          }
          return relay(h, id, event.text);
        }
        // A Slack retry or a Telegram redelivery of an event the handover already took.
        if (h && h.state !== 'closed' && relayId && !(await store.firstTime(relayId))) {
          return { replies: [], duplicate: true };
        }
        if (h && isActive(h)) {
          if (word === 'forget') {
            // The dialogue erases the person's data; the team is told, the request closed.
            await threadNotice(h, ERASED_NOTICE);
            await close(h, 'erased');
            await store.remove(h);
            await store.track(key, false);
            return undefined;
          }
          if (word === 'end' || action === HANDOVER_ACTIONS.end) {
            // What is still kept goes first, if Slack takes it.
            const flushed = h.pending.length > 0 ? (await toSlack(h)).handover : h;
            await close(flushed, 'person');
            return { replies: [notice(CLOSED_BY_PERSON_TEXT)] };
          }
          return { replies: [notice(IN_HANDOVER_HINT)] };
        }
        if (h?.state === 'consent') {
          if (action === HANDOVER_ACTIONS.consent) return request(h);
          if (action === HANDOVER_ACTIONS.decline) {
            await store.remove(h);
            return { replies: [notice(DECLINED_TEXT)] };
          }
          // Anything else: the offer lapses and the dialogue answers.
          await store.remove(h);
        }
        if (word === 'ask' || action === HANDOVER_ACTIONS.ask) {
          const fresh: Handover = {
            v: 1,
            key,
            channel: ctx.channel,
            userRef: ctx.userRef,
            state: 'consent',
            createdAt: now().getTime(),
            ...(ctx.town ? { town: ctx.town } : {}),
            pending: [],
            relayed: [],
            messages: [],
            undelivered: [],
            seq: h?.seq ?? 0,
          };
          await store.put(fresh);
          return { replies: [await consentReply(fresh)] };
        }
        if (action) return { replies: [notice(STALE_TEXT)] };
        return undefined;
      });
    },

    async staffAction(kind, ref, user) {
      const key = await store.byThread(ref.channel, ref.ts);
      if (!key || ref.channel !== options.slackChannel) return;
      await store.exclusive(key, async () => {
        const h = await store.get(key);
        if (!h || !isActive(h) || h.slack?.ts !== ref.ts) return;
        const name = (await slack.displayName(user.id).catch(() => undefined)) ?? user.name;
        const at = now().getTime();
        if (kind === 'take') {
          if (h.state === 'taken') return;
          count('taken');
          const taken = await say(
            { ...h, state: 'taken', takenAt: at, ...(name ? { takenBy: name } : {}) },
            { from: 'assistant', text: takenText(name), at },
          );
          await slack.updateRequest(ref, await view(taken)).catch(() => undefined);
          return;
        }
        const closed = await close(h, 'staff', name);
        await say(closed, { from: 'assistant', text: CLOSED_BY_STAFF_TEXT, at });
      });
    },

    async staffReply(ref, reply) {
      if (ref.channel !== options.slackChannel) return;
      const key = await store.byThread(ref.channel, ref.ts);
      if (!key) return;
      await store.exclusive(key, async () => {
        const h = await store.get(key);
        if (!h || !isActive(h) || h.slack?.ts !== ref.ts) return;
        // Recorded already (a retried event, another instance): not relayed twice.
        if (h.messages.some((m) => m.ref === reply.ts)) return;
        const at = now().getTime();
        const name = h.takenBy ?? (await slack.displayName(reply.userId).catch(() => undefined));
        if (h.firstAnswerAt === undefined && h.requestedAt !== undefined) {
          options.metrics?.firstAnswer((at - h.requestedAt) / 1000);
        }
        await say(
          { ...h, ...(h.firstAnswerAt === undefined ? { firstAnswerAt: at } : {}) },
          { from: 'staff', text: reply.text, at, ref: reply.ts, ...(name ? { name } : {}) },
        );
      });
    },

    deliverWith(channel, delivery) {
      deliveries.set(channel, delivery);
    },

    async sweep() {
      const at = now();
      const report = { told: 0, relayed: 0, delivered: 0 };
      for (const key of await store.openKeys()) {
        const done = await store
          .exclusive(key, () => visit(key, at))
          .catch((error: unknown) => {
            logger.warn({ channel: 'handover', code: 'sweep-failed', err: nameOf(error) }, 'check');
            return undefined;
          });
        report.told += done?.told ?? 0;
        report.relayed += done?.relayed ?? 0;
        report.delivered += done?.delivered ?? 0;
      }
      return report;
    },

    async messagesAfter(key, seq) {
      const h = await store.get(key);
      if (!h) return { state: 'none', seq: 0, messages: [] };
      const messages = h.messages
        .filter((m) => m.seq > seq)
        .map((m) => ({ seq: m.seq, reply: replyOf(m) }));
      return { state: h.state, seq: h.seq, messages };
    },
  };
}

/** A team member's message as the person sees it: who, then their words (plain text). */
function staffReplyOf(text: string, name: string | undefined): Reply {
  return makeReply({
    blocks: [para(bold(name ? `${name} (équipe de la ville)` : 'Équipe de la ville')), para(text)],
  });
}

function nameOf(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name}:${code}` : error.name;
}
