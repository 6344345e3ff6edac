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
import { bold, button, makeReply, para } from '../reply/build.js';
import type { Reply } from '../reply/model.js';
import type { Channel, InboundEvent, TurnContext } from '../runtime/types.js';
import { nextOpening, type OpeningHours } from './hours.js';
import { type Handover, isActive, MAX_PENDING, withMessage } from './model.js';
import type { HandoverStore } from './store.js';
import { HANDOVER_ACTIONS, handoverWord } from './triggers.js';

// === Ports

/** A Slack message of a request (the adapter renders it as Block Kit, escaping every value). */
export interface HandoverRequestView {
  /** « Telegram », « Site web »… */
  readonly channelLabel: string;
  readonly town?: string;
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
  readonly fields: readonly (readonly [string, string])[];
  readonly exchanges: HandoverRequestView['exchanges'];
}>;

/** Counters and the first-answer histogram (src/metrics.ts). */
export interface HandoverMetrics {
  count(event: 'requested' | 'taken' | 'closed' | 'timed_out' | 'relay_failed'): void;
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
  /** Tells those whose request waits too long; returns how many were told. */
  checkTimeouts(): Promise<number>;
  /**
   * What reached `key` from the town team after `seq` (the widget's polling): the request's
   * state, the last seq, and the messages as replies.
   */
  messagesAfter(key: string, seq: number): Promise<HandoverPoll>;
  /** Retries the person's messages kept while Slack was away; returns how many went. */
  flushPending(key: string): Promise<number>;
}

/** The answer to the widget's polling. */
export interface HandoverPoll {
  readonly state: Handover['state'] | 'none';
  readonly seq: number;
  readonly messages: readonly { readonly seq: number; readonly reply: Reply }[];
}

// === Words

export const CONSENT_TEXT =
  'Je peux transmettre votre demande à l’équipe de la ville, qui vous répondra ici. Seront partagés dans son espace Slack : votre public, la commune, votre niveau ou vos bilans, l’objectif choisi et vos derniers messages. Attention : un message envoyé dans Slack ne peut pas être effacé de Slack par nous. Vous êtes d’accord ?';
export const CONSENT_YES = 'Oui, transmettre';
export const CONSENT_NO = 'Non merci';
export const SENT_TEXT =
  'C’est transmis à l’équipe de la ville. Écrivez ici : vos messages lui parviennent. Pour revenir à l’assistant, écrivez « reprendre avec l’assistant ».';
export const DECLINED_TEXT = 'D’accord, rien n’a été transmis. On continue ensemble.';
export const KEPT_TEXT =
  'Votre message est bien gardé : il sera transmis à l’équipe dès que possible.';
export const SLACK_DOWN_TEXT =
  'Je n’arrive pas à joindre l’équipe de la ville pour l’instant. Réessayez dans quelques minutes.';
export const CLOSED_BY_PERSON_TEXT =
  'C’est noté, l’échange avec l’équipe de la ville est terminé. Vous reprenez avec l’assistant là où vous en étiez.';
export const CLOSED_BY_STAFF_TEXT =
  'L’équipe de la ville a clos l’échange. Vous reprenez avec l’assistant là où vous en étiez.';
export const IN_HANDOVER_HINT =
  'Vous êtes en lien avec l’équipe de la ville : écrivez votre message. Pour revenir à l’assistant, écrivez « reprendre avec l’assistant ».';
export const STALE_TEXT = 'Cette demande n’est plus en cours. On continue ensemble.';

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

// === The service

export function createHandoverService(options: HandoverServiceOptions): HandoverService {
  const { store, slack, logger } = options;
  const now = options.now ?? (() => new Date());
  const waitMs = (options.waitMinutes ?? 10) * 60_000;
  const deliveries = new Map<Channel, PersonDelivery>();
  /** Requests this instance posted and watches for the wait (key → due time). */
  const watched = new Map<string, number>();

  const notice = (text: string, buttons: readonly [string, string][] = []): Reply =>
    makeReply({
      blocks: [para(text)],
      ...(buttons.length > 0 ? { buttons: buttons.map(([l, a]) => button(l, a)) } : {}),
    });

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

  async function view(h: Handover, closedBy?: string): Promise<HandoverRequestView> {
    const none: Awaited<ReturnType<ContextProvider>> = { fields: [], exchanges: [] };
    const context = options.context ? await options.context(h.key).catch(() => none) : none;
    const state = h.state === 'consent' ? 'open' : h.state;
    const town = h.town ?? context.town;
    return {
      channelLabel: CHANNEL_LABELS[h.channel],
      ...(town ? { town } : {}),
      fields: context.fields,
      exchanges: context.exchanges,
      state,
      ...(h.takenBy ? { takenBy: h.takenBy } : {}),
      ...(closedBy ? { closedBy } : {}),
    };
  }

  async function tell(h: Handover, replies: readonly Reply[]): Promise<void> {
    if (options.transcribe) await options.transcribe(h.key, { from: 'bot', replies }, now());
    const delivery = deliveries.get(h.channel);
    if (delivery) await delivery(h.userRef, replies);
  }

  /** Posts the request; the person sees what comes next. */
  async function request(h: Handover): Promise<Intercepted> {
    const at = now();
    let ref: SlackRef;
    try {
      ref = await slack.postRequest(options.slackChannel, await view({ ...h, state: 'open' }));
    } catch (error) {
      logger.warn({ channel: 'handover', code: 'request-failed', err: nameOf(error) }, 'slack');
      options.metrics?.count('relay_failed');
      return { replies: [notice(SLACK_DOWN_TEXT)] };
    }
    const outOfHours = options.hours ? nextOpening(options.hours, at) !== undefined : false;
    const open: Handover = {
      ...h,
      state: 'open',
      slack: ref,
      requestedAt: at.getTime(),
      ...(outOfHours ? { waitNotified: true } : {}),
    };
    await store.put(open);
    options.metrics?.count('requested');
    if (outOfHours) options.metrics?.count('timed_out');
    else watched.set(h.key, at.getTime() + waitMs);
    const replies = [notice(SENT_TEXT)];
    if (outOfHours) replies.push(notice(waitingText(at)));
    return { replies };
  }

  async function close(
    h: Handover,
    by: 'person' | 'staff' | 'erased',
    staffName?: string,
  ): Promise<void> {
    const closed: Handover = { ...h, state: 'closed' };
    await store.put(closed);
    watched.delete(h.key);
    options.metrics?.count('closed');
    if (h.slack) {
      const ref = h.slack;
      const who =
        by === 'staff'
          ? (staffName ?? 'l’équipe')
          : by === 'erased'
            ? 'la personne (données effacées)'
            : 'la personne';
      await slack.updateRequest(ref, await view(closed, who)).catch((error: unknown) => {
        logger.warn({ channel: 'handover', code: 'update-failed', err: nameOf(error) }, 'slack');
      });
      if (by === 'person') {
        await slack
          .postInThread(ref, { from: 'notice', text: 'La personne a repris avec l’assistant.' })
          .catch(() => undefined);
      }
    }
  }

  /** Sends the person's message to the thread, or keeps it while Slack is away. */
  async function relay(h: Handover, text: string): Promise<Intercepted> {
    await options.transcribe?.(h.key, { from: 'user', text }, now());
    const ref = h.slack;
    if (ref && h.pending.length === 0) {
      try {
        await slack.postInThread(ref, { from: 'person', text });
        return { replies: [] };
      } catch (error) {
        logger.warn({ channel: 'handover', code: 'relay-failed', err: nameOf(error) }, 'slack');
        options.metrics?.count('relay_failed');
      }
    }
    if (h.pending.length >= MAX_PENDING) return { replies: [notice(SLACK_DOWN_TEXT)] };
    await store.put({ ...h, pending: [...h.pending, text] });
    return { replies: [notice(KEPT_TEXT)] };
  }

  async function flush(h: Handover): Promise<number> {
    if (!h.slack || h.pending.length === 0) return 0;
    let sent = 0;
    for (const text of h.pending) {
      try {
        await slack.postInThread(h.slack, { from: 'person', text });
        sent++;
      } catch {
        break;
      }
    }
    if (sent > 0) await store.put({ ...h, pending: h.pending.slice(sent) });
    return sent;
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
        let h = await store.get(key);
        // A Slack retry or a Telegram redelivery of an event the handover already took.
        if (h && h.state !== 'closed' && relayId && !(await store.firstTime(relayId))) {
          return { replies: [], duplicate: true };
        }
        if (h && isActive(h)) {
          if (word === 'forget') {
            // The dialogue erases the person's data; the team is told, the request closed.
            if (h.slack) {
              await slack
                .postInThread(h.slack, {
                  from: 'notice',
                  text: 'La personne a demandé l’effacement de ses données : la demande est close de notre côté.',
                })
                .catch(() => undefined);
            }
            await close(h, 'erased');
            await store.remove(h);
            return undefined;
          }
          if (word === 'end' || action === HANDOVER_ACTIONS.end) {
            await close(h, 'person');
            return { replies: [notice(CLOSED_BY_PERSON_TEXT)] };
          }
          if (event.type !== 'text') return { replies: [notice(IN_HANDOVER_HINT)] };
          if (h.pending.length > 0) {
            await flush(h);
            h = (await store.get(key)) ?? h;
          }
          return relay(h, event.text);
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
            messages: [],
            seq: h?.seq ?? 0,
          };
          await store.put(fresh);
          return {
            replies: [
              notice(CONSENT_TEXT, [
                [CONSENT_YES, HANDOVER_ACTIONS.consent],
                [CONSENT_NO, HANDOVER_ACTIONS.decline],
              ]),
            ],
          };
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
        if (kind === 'take') {
          if (h.state === 'taken') return;
          const at = now().getTime();
          const text = takenText(name);
          const { handover } = withMessage(
            { ...h, state: 'taken', takenAt: at, ...(name ? { takenBy: name } : {}) },
            { from: 'assistant', text, at },
          );
          await store.put(handover);
          watched.delete(key);
          options.metrics?.count('taken');
          await slack.updateRequest(ref, await view(handover)).catch(() => undefined);
          await tell(handover, [notice(text)]);
          return;
        }
        const at = now().getTime();
        const { handover } = withMessage(h, { from: 'assistant', text: CLOSED_BY_STAFF_TEXT, at });
        await close(handover, 'staff', name);
        await tell(handover, [notice(CLOSED_BY_STAFF_TEXT)]);
      });
    },

    async staffReply(ref, reply) {
      if (ref.channel !== options.slackChannel) return;
      const key = await store.byThread(ref.channel, ref.ts);
      if (!key) return;
      await store.exclusive(key, async () => {
        const h = await store.get(key);
        if (!h || !isActive(h) || h.slack?.ts !== ref.ts) return;
        if (!(await store.firstTime(`slack:${ref.channel}:${reply.ts}`))) return;
        const at = now().getTime();
        const name = h.takenBy ?? (await slack.displayName(reply.userId).catch(() => undefined));
        const { handover } = withMessage(
          { ...h, ...(h.firstAnswerAt === undefined ? { firstAnswerAt: at } : {}) },
          { from: 'staff', text: reply.text, at, ...(name ? { name } : {}) },
        );
        await store.put(handover);
        watched.delete(key);
        if (h.firstAnswerAt === undefined && h.requestedAt !== undefined) {
          options.metrics?.firstAnswer((at - h.requestedAt) / 1000);
        }
        const message = staffReplyOf(reply.text, name);
        try {
          await tell(handover, [message]);
        } catch (error) {
          logger.warn({ channel: 'handover', code: 'deliver-failed', err: nameOf(error) }, 'relay');
          options.metrics?.count('relay_failed');
          await slack
            .postInThread(ref, {
              from: 'notice',
              text: 'Ce message n’a pas pu être remis à la personne pour l’instant.',
            })
            .catch(() => undefined);
        }
      });
    },

    deliverWith(channel, delivery) {
      deliveries.set(channel, delivery);
    },

    async checkTimeouts() {
      const at = now();
      let told = 0;
      for (const [key, due] of watched) {
        if (due > at.getTime()) continue;
        watched.delete(key);
        await store
          .exclusive(key, async () => {
            const h = await store.get(key);
            if (h?.state !== 'open' || h.waitNotified) return;
            const text = waitingText(at);
            const { handover } = withMessage(
              { ...h, waitNotified: true },
              { from: 'assistant', text, at: at.getTime() },
            );
            await store.put(handover);
            options.metrics?.count('timed_out');
            await tell(handover, [notice(text)]);
            told++;
          })
          .catch((error: unknown) => {
            logger.warn(
              { channel: 'handover', code: 'timeout-failed', err: nameOf(error) },
              'wait',
            );
          });
      }
      return told;
    },

    async messagesAfter(key, seq) {
      const h = await store.get(key);
      if (!h) return { state: 'none', seq: 0, messages: [] };
      const messages = h.messages
        .filter((m) => m.seq > seq)
        .map((m) => ({
          seq: m.seq,
          reply: m.from === 'staff' ? staffReplyOf(m.text, m.name) : notice(m.text),
        }));
      return { state: h.state, seq: h.seq, messages };
    },

    async flushPending(key) {
      return store.exclusive(key, async () => {
        const h = await store.get(key);
        return h && isActive(h) ? flush(h) : 0;
      });
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
