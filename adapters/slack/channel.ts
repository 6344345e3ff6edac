/**
 * The Slack channel for municipal staff (SPEC §6, issue 8): a Bolt app on our fastify server
 * through the custom receiver, `/centreville` and its subcommands, the « Diagnostic du
 * territoire » modal, and buttons that continue the dialogues through the runtime (one
 * conversation per Slack user: `slack:<team>:<user>`). Inbound, render and transport only: what
 * the user asks becomes the dialogue's events, and the dialogue decides and words the answers.
 * Every listener acknowledges first and works after, so that Slack gets its answer within 3 s
 * whatever the Web API does; replies go back through `response_url` (ephemeral) or, failing
 * that, a direct message.
 */
import {
  App,
  type BlockAction,
  type Logger as BoltLogger,
  type ButtonAction,
  type LogLevel,
  type types,
  type webApi,
} from '@slack/bolt';
import type { FastifyPluginAsync } from 'fastify';
import { getCatalog } from '../../catalog/load.js';
import type { Catalog } from '../../catalog/schema.js';
import type { Config } from '../../src/config.js';
import { actionId } from '../../src/dialogue/index.js';
import type { HandoverService } from '../../src/handover/service.js';
import { makeReply } from '../../src/reply/build.js';
import type { Reply } from '../../src/reply/model.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import type { InboundEvent, TurnContext } from '../../src/runtime/types.js';
import type { Store } from '../../src/storage/types.js';
import { createDeliverer, type DeliveryTarget, responseUrlHosts } from './deliver.js';
import { answerDiagnostic, type SendTurn } from './diagnostic.js';
import { HANDOVER_SLACK_ACTIONS, slackTextToPlain } from './handover.js';
import { parseSlashText, slackConversationKey, slackUserRef } from './inbound.js';
import {
  buildDiagnosticModal,
  buildSearchModal,
  DIAGNOSTIC_CALLBACK,
  decodeOrigin,
  type ModalOrigin,
  readDiagnosticSubmission,
  readSearchSubmission,
  SEARCH_CALLBACK,
} from './modal.js';
import { createSlackOutbox } from './outbox.js';
import { createSlackReceiver } from './receiver.js';
import { ACTION_PREFIX, renderReplies } from './render.js';
import {
  bilanNavigationButtons,
  bilanUnavailableReply,
  helpReply,
  menuReply,
  noticeReply,
  parseUiAction,
  type UiAction,
} from './replies.js';
import {
  PLAN_OPEN_ACTION,
  PLAN_SHARE_ACTION,
  type PlanSummaries,
  postInChannel,
  sharedPlanMessage,
} from './share.js';

// === Public API

/** The logging surface the channel needs (the app's pino logger fits). */
export interface SlackChannelLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Who asked, for the optional merchants' bilan (the observatory, issue 9). */
export interface BilanRequest {
  /** The town typed after `/centreville bilan`, else TOWN_NAME; undefined when neither. */
  readonly town?: string;
  readonly teamId: string;
  readonly userId: string;
}

/** Dependencies of {@link createSlackChannel}. */
export interface SlackChannelDeps {
  readonly config: Pick<Config, 'slack' | 'town'>;
  readonly runtime: Runtime;
  readonly store: Pick<Store, 'coordination' | 'outbox'>;
  readonly logger: SlackChannelLogger;
  /** The guide as data; the shared catalog by default. */
  readonly catalog?: Catalog;
  /**
   * The merchants' observatory for `/centreville bilan`. Until it exists the subcommand says
   * so plainly and the menu does not offer it (issue 8).
   */
  readonly bilan?: (request: BilanRequest) => Promise<readonly Reply[]>;
  /** « Partager dans le canal » (issue 19): the summary of one of our plan links. */
  readonly planSummary?: PlanSummaries;
  /** Clock (signature window, turn context), for tests. */
  readonly now?: () => Date;
  /** Pause between two sweeps of the outbox, in ms (0 = none). Default 30 s. */
  readonly outboxSweepMs?: number;
  /**
   * The handover to the town team (issue 18): « Je prends » / « Clore » on a request, and the
   * team's replies in its thread (only a person's, in the configured channel, never an edit).
   */
  readonly handover?: Pick<HandoverService, 'staffAction' | 'staffReply'>;
}

/** The mounted channel. */
export interface SlackChannel {
  /** Encapsulated fastify plugin: `POST /slack/events`, with its own raw-body parsers. */
  readonly plugin: FastifyPluginAsync;
  /** Resolves when the work started by earlier requests (Web API calls…) has finished. */
  drain(): Promise<void>;
}

/** Thrown when the channel is built without its Slack settings. */
export class SlackConfigMissingError extends Error {
  readonly code = 'SLACK_CONFIG_MISSING';
  constructor() {
    super('Slack channel needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN');
    this.name = 'SlackConfigMissingError';
  }
}

/** How long a request id is kept for retry de-duplication (Slack retries within ~5 min). */
const DEDUPE_TTL_MS = 60 * 60 * 1000;

// === The channel

/**
 * Builds the Slack channel. The caller registers `plugin` on the fastify server (no prefix:
 * the route is `/slack/events`, the URL the manifest gives Slack).
 */
export function createSlackChannel(deps: SlackChannelDeps): SlackChannel {
  const slack = deps.config.slack;
  if (!slack) throw new SlackConfigMissingError();
  const { logger, runtime } = deps;
  const catalog = deps.catalog ?? getCatalog();
  const now = deps.now ?? (() => new Date());
  const town = deps.config.town.name;
  const withBilan = deps.bilan !== undefined;

  const receiver = createSlackReceiver({
    signingSecret: slack.signingSecret,
    logger,
    markSeen: (id) => deps.store.coordination.markSeen(id, DEDUPE_TTL_MS),
    redeliver: (id) => outbox.redeliver(id),
    now: () => now().getTime(),
  });

  const app = new App({
    receiver,
    // A fixed bot token, without the auth.test call Bolt would make before the first ack.
    authorize: async () => ({ botToken: slack.botToken }),
    logger: boltLogger(logger),
    convoStore: false,
    ignoreSelf: false,
    tokenVerificationEnabled: false,
    clientOptions: {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      // Work after the ack may retry a little, but never for minutes.
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
      timeout: 10_000,
    },
  });

  const deliver = createDeliverer({ logger, allowedHosts: responseUrlHosts(slack.apiUrl) });
  const outbox = createSlackOutbox({
    store: deps.store,
    runtime,
    logger,
    deliver,
    botToken: slack.botToken,
    ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
    ...(deps.outboxSweepMs !== undefined ? { sweepMs: deps.outboxSweepMs } : {}),
  });

  // --- Helpers shared by the listeners

  const turnContext = (teamId: string, userId: string): TurnContext => ({
    channel: 'slack',
    userRef: slackUserRef(teamId, userId),
    ...(town ? { town } : {}),
    now: now(),
  });

  async function send(
    client: webApi.WebClient,
    target: DeliveryTarget,
    replies: readonly Reply[],
  ): Promise<void> {
    await deliver(client, target, renderReplies(replies));
  }

  /** Turns of this user's conversation (`slack:<team>:<user>`). */
  function sendTurn(who: { teamId: string; userId: string }): SendTurn {
    const key = slackConversationKey(who.teamId, who.userId);
    return (event) => runtime.turn(key, event, turnContext(who.teamId, who.userId));
  }

  async function runTurn(
    client: webApi.WebClient,
    who: { teamId: string; userId: string },
    target: DeliveryTarget,
    event: InboundEvent,
  ): Promise<void> {
    const key = slackConversationKey(who.teamId, who.userId);
    await outbox.turn(client, key, event, turnContext(who.teamId, who.userId), target);
  }

  /** Everything after the ack runs here: a failure is logged and told kindly, never thrown. */
  async function afterAck(
    label: string,
    client: webApi.WebClient,
    target: DeliveryTarget,
    work: () => Promise<void>,
  ): Promise<void> {
    try {
      await work();
    } catch (error) {
      logger.error(
        { channel: 'slack', code: 'handler-failed', step: label, err: nameOf(error) },
        'slack work failed',
      );
      await send(client, target, [
        noticeReply('Désolé, un souci technique est survenu. Réessayez dans un instant.'),
      ]).catch(() => undefined);
    }
  }

  async function openModal(
    client: webApi.WebClient,
    triggerId: string | undefined,
    target: DeliveryTarget,
    view: types.ModalView,
  ): Promise<void> {
    if (!triggerId) {
      await send(client, target, [noticeReply('Impossible d’ouvrir la fenêtre depuis ici.')]);
      return;
    }
    try {
      await client.views.open({ trigger_id: triggerId, view });
    } catch (error) {
      logger.warn(
        { channel: 'slack', code: 'views-open-failed', err: nameOf(error) },
        'views.open failed',
      );
      await send(client, target, [
        noticeReply(
          'La fenêtre n’a pas pu s’ouvrir à temps. Relancez la commande, elle s’ouvrira.',
        ),
      ]);
    }
  }

  async function showUi(
    action: UiAction,
    client: webApi.WebClient,
    who: { teamId: string; userId: string },
    target: DeliveryTarget,
    triggerId: string | undefined,
    origin: ModalOrigin,
  ): Promise<void> {
    switch (action) {
      case 'menu':
        return send(client, target, [menuReply(catalog, { townName: town, withBilan })]);
      case 'aide':
        return showHelp(client, who, target, '/centreville');
      case 'contacts':
        // Through the dialogue, as on every channel: it knows TOWN_REGION (the engine's option).
        return runTurn(client, who, target, { type: 'action', action: actionId.nav('contact') });
      case 'diag':
        return openModal(client, triggerId, target, buildDiagnosticModal(catalog, origin));
      case 'search':
        return openModal(client, triggerId, target, buildSearchModal(origin));
      case 'bilan':
        return showBilan(client, who, target, town);
    }
  }

  /**
   * `/centreville aide`: the dialogue's help, as every channel shows it, then what only Slack has —
   * its subcommands.
   */
  async function showHelp(
    client: webApi.WebClient,
    who: { teamId: string; userId: string },
    target: DeliveryTarget,
    command: string,
  ): Promise<void> {
    await runTurn(client, who, target, { type: 'text', text: 'aide' });
    return send(client, target, [helpReply(command, { withBilan })]);
  }

  /**
   * `/centreville bilan [ville]`: the observatory's figures for the town typed after the command,
   * else TOWN_NAME — as Block Kit through the neutral renderer, with the menu's way back.
   */
  async function showBilan(
    client: webApi.WebClient,
    who: { teamId: string; userId: string },
    target: DeliveryTarget,
    forTown: string | undefined,
  ): Promise<void> {
    if (!deps.bilan) return send(client, target, [bilanUnavailableReply()]);
    const replies = [...(await deps.bilan({ ...(forTown ? { town: forTown } : {}), ...who }))];
    const last = replies.pop();
    const nav = bilanNavigationButtons();
    replies.push(
      last
        ? makeReply({ ...last, buttons: [...(last.buttons ?? []), ...nav] })
        : makeReply({ blocks: [], buttons: nav }),
    );
    return send(client, target, replies);
  }

  /**
   * `/centreville fiche <mots>` and the search modal: the words go to the dialogue as typed text,
   * which searches the guide and answers as on every channel.
   */
  function searchFiche(
    client: webApi.WebClient,
    who: { teamId: string; userId: string },
    target: DeliveryTarget,
    words: string,
  ): Promise<void> {
    return runTurn(client, who, target, { type: 'text', text: words });
  }

  // --- /centreville …

  app.command(/.*/, async ({ command, ack, client }) => {
    await ack();
    const who = { teamId: command.team_id, userId: command.user_id };
    const target: DeliveryTarget = { responseUrl: command.response_url, userId: command.user_id };
    const origin: ModalOrigin = {
      responseUrl: command.response_url,
      channelId: command.channel_id,
    };
    const request = parseSlashText(command.text);
    await afterAck(`command:${request.kind}`, client, target, async () => {
      switch (request.kind) {
        case 'menu':
          return showUi('menu', client, who, target, command.trigger_id, origin);
        case 'diagnostic':
          return showUi('diag', client, who, target, command.trigger_id, origin);
        case 'search-modal':
          return showUi('search', client, who, target, command.trigger_id, origin);
        case 'aide':
          return showHelp(client, who, target, command.command || '/centreville');
        case 'contacts':
          return showUi('contacts', client, who, target, command.trigger_id, origin);
        case 'bilan':
          return showBilan(client, who, target, request.town ?? town);
        case 'search':
          return searchFiche(client, who, target, request.words);
        case 'entry':
          return runTurn(client, who, target, { type: 'start', entry: request.entry });
        case 'text':
          return runTurn(client, who, target, { type: 'text', text: request.text });
      }
    });
  });

  // --- Buttons

  app.action<BlockAction<ButtonAction>>(
    new RegExp(
      `^(${escapeRegExp(ACTION_PREFIX.run)}|${escapeRegExp(ACTION_PREFIX.start)}|${escapeRegExp(ACTION_PREFIX.ui)})`,
    ),
    async ({ action, ack, body, client }) => {
      await ack();
      const userId = body.user.id;
      const teamId = body.team?.id ?? body.user.team_id ?? 'none';
      const who = { teamId, userId };
      const target: DeliveryTarget = { responseUrl: body.response_url, userId };
      const value = typeof action.value === 'string' ? action.value : '';
      await afterAck('action', client, target, async () => {
        if (action.action_id.startsWith(ACTION_PREFIX.ui)) {
          const ui = parseUiAction(value);
          const origin: ModalOrigin = {
            ...(body.response_url ? { responseUrl: body.response_url } : {}),
            ...(body.channel?.id ? { channelId: body.channel.id } : {}),
          };
          return ui
            ? showUi(ui, client, who, target, body.trigger_id, origin)
            : showUi('menu', client, who, target, undefined, origin);
        }
        if (action.action_id.startsWith(ACTION_PREFIX.start)) {
          return runTurn(client, who, target, { type: 'start', entry: value });
        }
        return runTurn(client, who, target, { type: 'action', action: value });
      });
    },
  );

  // --- « Mon plan d'action »: the URL button needs an ack; « Partager » posts in the channel.

  app.action(new RegExp(`^${escapeRegExp(PLAN_OPEN_ACTION)}`), async ({ ack }) => {
    await ack();
  });

  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${escapeRegExp(PLAN_SHARE_ACTION)}`),
    async ({ action, ack, body, client }) => {
      await ack();
      const userId = body.user.id;
      const target: DeliveryTarget = { responseUrl: body.response_url, userId };
      await afterAck('plan-share', client, target, async () => {
        const url = typeof action.value === 'string' ? action.value : '';
        const plan = deps.planSummary ? await deps.planSummary(url) : undefined;
        if (!plan)
          return send(client, target, [
            noticeReply(
              'Ce plan d’action n’est plus disponible (conversation expirée ou effacée). Refaites le diagnostic pour en obtenir un nouveau.',
            ),
          ]);
        const posted = await postInChannel(
          client,
          {
            ...(body.response_url ? { responseUrl: body.response_url } : {}),
            ...(body.channel?.id ? { channelId: body.channel.id } : {}),
          },
          sharedPlanMessage(plan),
          { allowedHosts: responseUrlHosts(slack.apiUrl), logger },
        );
        if (!posted)
          return send(client, target, [
            noticeReply(
              'Je n’ai pas pu le partager ici : invitez-moi dans ce canal (/invite), puis réessayez.',
            ),
          ]);
      });
    },
  );

  // --- Handover (issue 18)

  const handover = deps.handover;
  if (handover) {
    app.action<BlockAction<ButtonAction>>(
      new RegExp(
        `^(${escapeRegExp(HANDOVER_SLACK_ACTIONS.take)}|${escapeRegExp(HANDOVER_SLACK_ACTIONS.close)})$`,
      ),
      async ({ action, ack, body }) => {
        await ack();
        const channel = body.channel?.id;
        const ts = body.container?.message_ts ?? body.message?.ts;
        if (typeof channel !== 'string' || typeof ts !== 'string') return;
        const kind = action.action_id === HANDOVER_SLACK_ACTIONS.take ? 'take' : 'close';
        const name = typeof body.user.name === 'string' ? body.user.name : undefined;
        await handover
          .staffAction(kind, { channel, ts }, { id: body.user.id, ...(name ? { name } : {}) })
          .catch((error: unknown) => {
            logger.error(
              { channel: 'slack', code: 'handover-action-failed', err: nameOf(error) },
              'handover',
            );
          });
      },
    );

    app.event('message', async ({ event }) => {
      const reply = staffThreadReply(event);
      if (!reply) return;
      await handover
        .staffReply(
          { channel: reply.channel, ts: reply.threadTs },
          { ts: reply.ts, userId: reply.user, text: reply.text },
        )
        .catch((error: unknown) => {
          logger.error(
            { channel: 'slack', code: 'handover-reply-failed', err: nameOf(error) },
            'handover',
          );
        });
    });
  }

  // --- Modals

  app.view(DIAGNOSTIC_CALLBACK, async ({ ack, view, body, client }) => {
    const read = readDiagnosticSubmission(catalog, view.state.values);
    if (!read.ok) {
      await ack({ response_action: 'errors', errors: { ...read.errors } });
      return;
    }
    await ack();
    const { who, target } = submitter(view.private_metadata, body);
    await afterAck('diagnostic', client, target, async () => {
      const replies = await answerDiagnostic(catalog, sendTurn(who), read.answers);
      await send(client, target, replies);
    });
  });

  app.view(SEARCH_CALLBACK, async ({ ack, view, body, client }) => {
    const read = readSearchSubmission(view.state.values);
    if (!read.ok) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    await ack();
    const { who, target } = submitter(view.private_metadata, body);
    await afterAck('search', client, target, () => searchFiche(client, who, target, read.text));
  });

  app.error(async (error) => {
    logger.error({ channel: 'slack', code: nameOf(error) }, 'slack app error');
  });

  return {
    plugin: receiver.plugin,
    async drain() {
      await receiver.drain();
      await outbox.stop();
    },
  };
}

// === Helpers

/**
 * A thread reply written by a person (Events API `message`): no subtype (edits arrive as
 * `message_changed`, deletions, joins and bot posts have one too), no `bot_id`, a user, a text,
 * and a `thread_ts` other than its own `ts` (a reply, not the thread's parent).
 */
export function staffThreadReply(
  event: unknown,
): { channel: string; threadTs: string; ts: string; user: string; text: string } | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  if (e.type !== 'message' || e.subtype !== undefined || e.bot_id !== undefined) return undefined;
  const { channel, thread_ts: threadTs, ts, user, text } = e;
  if (
    typeof channel !== 'string' ||
    typeof threadTs !== 'string' ||
    typeof ts !== 'string' ||
    typeof user !== 'string' ||
    typeof text !== 'string' ||
    threadTs === ts ||
    text.trim() === ''
  ) {
    return undefined;
  }
  return { channel, threadTs, ts, user, text: slackTextToPlain(text).slice(0, 4000) };
}

/**
 * Who submitted a modal, and where the answer goes: the `response_url` of the command or button
 * that opened it (kept in `private_metadata`), else a direct message.
 */
function submitter(
  metadata: unknown,
  body: {
    readonly user: { readonly id: string; readonly team_id?: string };
    readonly team: { readonly id: string } | null;
  },
): { who: { teamId: string; userId: string }; target: DeliveryTarget } {
  const origin = decodeOrigin(metadata);
  return {
    who: { teamId: body.team?.id ?? body.user.team_id ?? 'none', userId: body.user.id },
    target: {
      ...(origin.responseUrl ? { responseUrl: origin.responseUrl } : {}),
      userId: body.user.id,
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function nameOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}

/**
 * Bolt's own log lines, through our logger at warn and error only: Bolt's debug lines quote
 * request bodies, which hold what users wrote (SPEC §7: no message text in logs).
 */
function boltLogger(logger: SlackChannelLogger): BoltLogger {
  let level = 'warn' as LogLevel;
  const line = (parts: unknown[]) =>
    parts
      .map((p) => (p instanceof Error ? p.name : typeof p === 'string' ? p : typeof p))
      .join(' ')
      .slice(0, 200);
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...parts: unknown[]) =>
      logger.warn({ channel: 'slack', source: 'bolt', detail: line(parts) }, 'bolt'),
    error: (...parts: unknown[]) =>
      logger.error({ channel: 'slack', source: 'bolt', detail: line(parts) }, 'bolt'),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
