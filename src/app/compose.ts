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
}

/** The running pieces, with an ordered shutdown. */
export interface ComposedApp {
  readonly app: FastifyInstance;
  readonly runtime: Runtime;
  readonly metrics: Metrics;
  readonly channels: readonly string[];
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
  const inner = createRuntime({
    engine: withPlanLink(deps.engine),
    store,
    logger,
    retentionDays: config.retentionDays,
    onTurn: (m) => metrics.observeTurn({ channel: m.channel, ms: m.ms, ok: m.ok }),
    ...(onEffect ? { onEffect } : {}),
    ...(onForget ? { onForget } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const runtime = withPlanLinks(inner, plans);
  if (!config.publicUrl)
    logger.info({ channel: 'plan', reason: 'PUBLIC_URL is empty' }, 'plan links: off');

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
  return {
    app,
    runtime,
    metrics,
    channels: channels.map((c) => c.name),
    async startChannels() {
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
        await app.close();
        await Promise.allSettled(channels.map((c) => c.stop?.()));
        await runtime.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** Only an error's class and code go to the logs (messages may quote user text). */
function errorName(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name}:${code}` : error.name;
}
