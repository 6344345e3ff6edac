/**
 * The composition root shared by `main`, the benchmark and the end-to-end tests: from a config,
 * a dialogue engine and a store, it builds the runtime, the metrics, the channels whose settings
 * are present, and the fastify app — and knows how to shut all of it down in order.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createWebChannel } from '../../adapters/web/plugin.js';
import type { RateLimiter } from '../../adapters/web/rate-limit.js';
import { getCatalog } from '../../catalog/load.js';
import type { Config } from '../config.js';
import { findRegion } from '../core/contacts.js';
import { createContextProvider } from '../handover/context.js';
import { withHandoverOffer } from '../handover/offer.js';
import { withHandover } from '../handover/runtime.js';
import { createHandoverService, type HandoverService } from '../handover/service.js';
import { createHandoverStore } from '../handover/store.js';
import type { AppLogger } from '../logger.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { createObservatoryPages } from '../observatory/page.js';
import type { Observatory } from '../observatory/service.js';
import { withPlanLink, withPlanLinks } from '../plan/links.js';
import { createPlanService, type PlanService } from '../plan/service.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime/runtime.js';
import type { DialogueEngine } from '../runtime/types.js';
import { buildServer, type ChannelPlugin } from '../server/build-server.js';
import { observatoirePageRoute } from '../server/observatoire-route.js';
import { observatoryRoute } from '../server/observatory-route.js';
import { planRoute } from '../server/plan-route.js';
import type { Store } from '../storage/types.js';

/** Where the bundled widget lives, next to the web adapter (in the source tree or in dist/). */
export const WIDGET_FILE = fileURLToPath(
  new URL('../../adapters/web/public/widget.js', import.meta.url),
);

/** What an optional channel needs to build itself. */
export interface ChannelContext {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly store: Store;
  readonly logger: AppLogger;
  readonly metrics: Metrics;
  /** The merchants' observatory (issue 9), for Slack's `/centreville bilan`. */
  readonly observatory?: Observatory;
  /** « Mon plan d'action » (issue 19): links and summaries, for Slack's « Partager ». */
  readonly plans?: PlanService;
  /** The observatory page's signed link for a town (issue 19), posted by `/centreville bilan`. */
  readonly observatoryLink?: (town: string) => string | undefined;
  /** The handover to the town team (issue 18), when HANDOVER_SLACK_CHANNEL and Slack are set. */
  readonly handover?: HandoverService;
}

/**
 * An optional channel (Telegram, Slack…): mounted only when its settings are present, logged
 * once as « off » otherwise. The Telegram and Slack adapters each export one.
 */
export interface ChannelFactory {
  readonly name: string;
  /** True when the config holds this channel's settings. */
  enabled(config: Config): boolean;
  /** Why it is off, for the one log line (e.g. "TELEGRAM_BOT_TOKEN is empty"). */
  readonly offReason: string;
  create(context: ChannelContext): ChannelPlugin | Promise<ChannelPlugin>;
}

/** Everything {@link composeApp} needs besides the config. */
export interface ComposeDeps {
  readonly engine: DialogueEngine;
  readonly store: Store;
  readonly logger: AppLogger;
  /** Optional channels; the web channel is always mounted. */
  readonly channelFactories?: readonly ChannelFactory[];
  /** Effects other than forget (observatory records) and erasure outside conversations. */
  readonly onEffect?: RuntimeOptions['onEffect'];
  readonly onForget?: RuntimeOptions['onForget'];
  /**
   * The merchants' observatory (issue 9): takes the `observatory-record` effects and the erasures
   * (unless `onEffect` / `onForget` are given), serves `GET /api/observatory/:town` when
   * OBSERVATORY_TOKEN is set, and Slack's `/centreville bilan`.
   */
  readonly observatory?: Observatory;
  readonly widgetFile?: string;
  /** Swappable rate limiters for the web channel (shared Redis counters later). */
  readonly webLimiters?: { readonly perIp: RateLimiter; readonly perConversation: RateLimiter };
  readonly now?: () => Date;
  /**
   * The secret « Mon plan d'action » links are sealed with (issue 19): `main` passes the
   * observatory salt, so links survive a restart; without it, a random one per process.
   */
  readonly planSecret?: Buffer | string;
  /** Pause between two checks of the open handover requests: waits, kept messages (default 30 s; 0 = none). */
  readonly handoverCheckMs?: number;
}

/** The running pieces, with an ordered shutdown. */
export interface ComposedApp {
  readonly app: FastifyInstance;
  readonly runtime: Runtime;
  readonly metrics: Metrics;
  readonly channels: readonly string[];
  /** The handover service when it is on (tests drive its clock checks). */
  readonly handover?: HandoverService;
  /** Starts the channels' background work (after listen); failures are logged, not thrown. */
  startChannels(): Promise<void>;
  /** Stops accepting requests, finishes turns in flight, closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Builds the runtime, the channels and the server (no listen). */
export async function composeApp(config: Config, deps: ComposeDeps): Promise<ComposedApp> {
  const { logger, store, observatory } = deps;
  const metrics = createMetrics({ channels: ['web'] });
  const onEffect: RuntimeOptions['onEffect'] =
    deps.onEffect ?? (observatory ? (e, origin) => observatory.onEffect(e, origin) : undefined);
  const onForget: RuntimeOptions['onForget'] =
    deps.onForget ?? (observatory ? (owner) => observatory.onForget(owner) : undefined);
  // « Mon plan d'action » (issue 19): a link after each result, the page on GET /plan/:token.
  const secret = deps.planSecret ?? randomBytes(32);
  const plans = createPlanService({
    store,
    secret,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    ...(deps.now ? { now: () => (deps.now as () => Date)().getTime() } : {}),
  });
  const handoverOn = config.handover !== undefined && config.slack !== undefined;
  const engine = withPlanLink(deps.engine);
  const inner = createRuntime({
    // With the handover on, « Parler à l'équipe de la ville » comes with contacts and results.
    engine: handoverOn ? withHandoverOffer(engine) : engine,
    store,
    logger,
    retentionDays: config.retentionDays,
    // The request shows the team the last exchanges: Telegram's are kept too when handover is on.
    ...(handoverOn ? { transcriptChannels: ['web', 'console', 'telegram'] as const } : {}),
    onTurn: (m) => metrics.observeTurn({ channel: m.channel, ms: m.ms, ok: m.ok }),
    ...(onEffect ? { onEffect } : {}),
    ...(onForget ? { onForget } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const linked = withPlanLinks(inner, plans);
  if (!config.publicUrl)
    logger.info({ channel: 'plan', reason: 'PUBLIC_URL is empty' }, 'plan links: off');
  const handover = handoverOn ? await createHandover(config, deps, linked, metrics) : undefined;
  const runtime = handover ? withHandover(linked, handover) : linked;

  const widgetFile = deps.widgetFile ?? WIDGET_FILE;
  const channels: ChannelPlugin[] = [
    createWebChannel({
      runtime,
      store,
      allowedOrigins: config.web.allowedOrigins,
      rateLimitPerMinute: config.web.rateLimitPerMinute,
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      ...(config.town.name ? { defaultTown: config.town.name } : {}),
      ...(existsSync(widgetFile) ? { widgetFile } : {}),
      ...(deps.webLimiters ? { limiters: deps.webLimiters } : {}),
      onRateLimitFailOpen: () => metrics.countEvent('rate_limit_fail_open'),
      ...(handover
        ? { handoverMessages: (key: string, after: number) => handover.messagesAfter(key, after) }
        : {}),
      ...(deps.now ? { now: deps.now } : {}),
    }),
  ];

  const observatoryApi = observatoryRoute(config.observatory.token, observatory);
  if (observatoryApi) channels.push(observatoryApi);
  else if (observatory) {
    logger.info(
      { channel: 'observatory', reason: 'OBSERVATORY_TOKEN is empty' },
      'observatory API: off',
    );
  }

  // The observatory's page (issue 19): the bearer token, or a link signed for one town.
  const observatoryPages = observatory
    ? createObservatoryPages({
        catalog: getCatalog(),
        records: store.records,
        secret,
        ...(config.observatory.token ? { token: config.observatory.token } : {}),
        ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
        ...(deps.now ? { now: () => (deps.now as () => Date)().getTime() } : {}),
      })
    : undefined;

  const context: ChannelContext = {
    config,
    runtime,
    store,
    logger,
    metrics,
    plans,
    ...(observatoryPages
      ? { observatoryLink: (town: string) => observatoryPages.signedUrl(town) }
      : {}),
    ...(observatory ? { observatory } : {}),
    ...(handover ? { handover } : {}),
  };
  for (const factory of deps.channelFactories ?? []) {
    if (!factory.enabled(config)) {
      logger.info({ channel: factory.name, reason: factory.offReason }, `${factory.name}: off`);
      continue;
    }
    channels.push(await factory.create(context));
  }

  const app = await buildServer({
    logger,
    metrics,
    readiness: store,
    // The plan pages are routes, not a channel: mounted, not listed among the channels.
    channels: [
      ...channels,
      planRoute(plans),
      ...(observatoryPages ? [observatoirePageRoute(observatoryPages)] : []),
    ],
    trustProxy: config.trustProxy,
  });

  let closing: Promise<void> | undefined;
  let handoverTimer: NodeJS.Timeout | undefined;
  return {
    app,
    runtime,
    metrics,
    channels: channels.map((c) => c.name),
    ...(handover ? { handover } : {}),
    async startChannels() {
      const every = deps.handoverCheckMs ?? 30_000;
      if (handover && every > 0 && !handoverTimer) {
        // The open requests' check (waits, kept messages, undelivered replies), on every
        // instance: each request is checked under its own lock, so two instances do it once.
        let sweeping = false;
        handoverTimer = setInterval(() => {
          if (sweeping) return;
          sweeping = true;
          handover
            .sweep()
            .catch(() => undefined)
            .finally(() => {
              sweeping = false;
            });
        }, every);
        handoverTimer.unref();
      }
      await Promise.all(
        channels.map(async (channel) => {
          try {
            await channel.start?.();
          } catch (error) {
            logger.error(
              { channel: channel.name, code: 'channel-start-failed', err: errorName(error) },
              `${channel.name}: could not start`,
            );
          }
        }),
      );
    },
    close() {
      closing ??= (async () => {
        if (handoverTimer) clearInterval(handoverTimer);
        await app.close();
        await Promise.allSettled(channels.map((c) => c.stop?.()));
        await runtime.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/**
 * The handover service (issue 18): its store beside the conversations, Slack's Web API, the
 * last exchanges from the transcript, the region's Banque des Territoires contact, the metrics.
 */
async function createHandover(
  config: Config,
  deps: ComposeDeps,
  runtime: Runtime,
  metrics: Metrics,
): Promise<HandoverService | undefined> {
  const settings = config.handover;
  const slack = config.slack;
  if (!settings || !slack) return undefined;
  const { createSlackHandoverPort } = await import('../../adapters/slack/handover.js');
  const retentionMs = config.retentionDays * 86_400_000;
  const region = config.town.region ? findRegion(getCatalog(), config.town.region) : undefined;
  return createHandoverService({
    store: createHandoverStore(deps.store.coordination, { retentionDays: config.retentionDays }),
    slack: createSlackHandoverPort({
      botToken: slack.botToken,
      ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
    }),
    slackChannel: settings.slackChannel,
    logger: deps.logger,
    waitMinutes: settings.waitMinutes,
    ...(settings.hours ? { hours: settings.hours } : {}),
    ...(region ? { regionalContact: { name: region.name, email: region.email } } : {}),
    metrics: {
      count: (event) => metrics.countHandover(event),
      firstAnswer: (seconds) => metrics.observeFirstAnswer(seconds),
    },
    context: createContextProvider({
      catalog: getCatalog(),
      conversation: async (key) => (await deps.store.conversations.get(key))?.data,
      transcript: (key) => runtime.transcript(key),
    }),
    // The widget shows the team's messages again after a reload: they join its transcript.
    transcribe: async (key, entry, at) => {
      if (!key.startsWith('web:')) return;
      const iso = at.toISOString();
      await deps.store.transcripts.append(
        key,
        [
          entry.from === 'user'
            ? { from: 'user', at: iso, text: entry.text }
            : { from: 'bot', at: iso, replies: entry.replies },
        ],
        { expiresAt: at.getTime() + retentionMs },
      );
    },
    ...(deps.now ? { now: deps.now } : {}),
  });
}

/** Only an error's class and code go to the logs (messages may quote user text). */
function errorName(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name}:${code}` : error.name;
}
