/**
 * The server as `npm start` runs it (entry: `src/main.ts`): reads the environment (a bad variable
 * is named, exit 1), opens the SQLite store under DATA_DIR, mounts the web channel and the
 * optional channels whose settings are present, listens, and shuts down gracefully on SIGTERM /
 * SIGINT. Needs no configuration at all.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { type AppLogger, createLogger } from '../logger.js';
import type { Observatory } from '../observatory/service.js';
import type { DirOwnership } from '../storage/owner.js';
import type { Store } from '../storage/types.js';
import type { ComposeDeps, ComposedApp } from './compose.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;
/** How often expired conversations are purged (RETENTION_DAYS). */
const PURGE_EVERY_MS = 60 * 60 * 1000;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** The store and, with Redis, the web rate limiters shared by every instance. */
interface OpenedStore {
  readonly store: Store;
  readonly webLimiters?: ComposeDeps['webLimiters'];
  /** With SQLite: this process's hold on DATA_DIR, released after the store closes. */
  readonly owner?: DirOwnership;
}

/**
 * Opens the store: the embedded SQLite file under DATA_DIR by default, or the shared Redis store
 * when REDIS_URL is set (several instances behind a load balancer, docs/scaling.md) — then the
 * web rate-limit counters are shared too.
 */
async function openStore(config: Config, logger: AppLogger): Promise<OpenedStore> {
  if (config.redisUrl) {
    const { createRedisStore } = await import('../storage/redis.js');
    let lastWarning = 0;
    const store = createRedisStore({
      url: config.redisUrl,
      // One deployment per prefix: two towns or bots on one Redis never see each other's keys.
      prefix: config.redisKeyPrefix,
      onError: (error) => {
        // Reconnection errors repeat: log at most one every 10 s, without the URL.
        if (Date.now() - lastWarning < 10_000) return;
        lastWarning = Date.now();
        logger.warn({ code: 'redis-error', err: error.name }, 'redis connection error');
      },
    });
    const limit = config.web.rateLimitPerMinute;
    return {
      store,
      webLimiters: {
        perIp: store.rateLimiter({ name: 'web-ip', limit }),
        perConversation: store.rateLimiter({ name: 'web-conversation', limit }),
      },
    };
  }
  const dir = resolve(config.dataDir);
  mkdirSync(dir, { recursive: true });
  const owner = await ownDataDir(config, dir, logger);
  const { createSqliteStore } = await import('../storage/sqlite.js');
  try {
    return { store: createSqliteStore({ dir }), owner };
  } catch (error) {
    owner.release();
    throw error;
  }
}

/**
 * One process per SQLite DATA_DIR (its in-memory cache must never go stale): takes the directory,
 * or — while another process holds it, as during a rolling deploy onto one volume — listens with
 * `/readyz` 503 and waits for it (DATA_DIR_WAIT_SECONDS, logged), then exits 1 naming the other
 * process if it never lets go.
 */
async function ownDataDir(config: Config, dir: string, logger: AppLogger): Promise<DirOwnership> {
  const { DataDirBusyError, describeOwner, tryOwn, waitToOwn } = await import(
    '../storage/owner.js'
  );
  const owned = tryOwn(dir);
  if (owned) return owned;
  const [{ buildServer }, { createMetrics }] = await Promise.all([
    import('../server/build-server.js'),
    import('../metrics.js'),
  ]);
  // Not ready, but alive: the orchestrator keeps the old instance until this one is ready.
  const waiting = await buildServer({
    logger,
    metrics: createMetrics(),
    readiness: { ready: () => false },
    channels: [],
  });
  await waiting.listen({ port: config.port, host: config.host });
  const stop = new AbortController();
  const abort = () => stop.abort();
  process.once('SIGTERM', abort);
  process.once('SIGINT', abort);
  try {
    return await waitToOwn(dir, {
      timeoutMs: config.dataDirWaitSeconds * 1000,
      signal: stop.signal,
      onWait: (holder, waitedMs) =>
        logger.warn(
          {
            code: 'data-dir-busy',
            dir,
            holder: describeOwner(holder),
            waitedSeconds: Math.round(waitedMs / 1000),
            timeoutSeconds: config.dataDirWaitSeconds,
          },
          'DATA_DIR is held by another process: waiting for it to stop (/readyz answers 503)',
        ),
    });
  } catch (error) {
    await waiting.close();
    if (stop.signal.aborted) process.exit(0);
    if (error instanceof DataDirBusyError) {
      logger.error({ code: error.code, dir, holder: describeOwner(error.holder) }, error.message);
      fail(error.message);
    }
    throw error;
  } finally {
    process.off('SIGTERM', abort);
    process.off('SIGINT', abort);
    await waiting.close();
  }
}

/**
 * The widget bundle is built before the server runs — by `npm run build` into dist/, by
 * `npm start` (its `prestart` step) beside the sources — never here: its bundler is a development
 * tool the production image does not have. Without it the server still runs; the demo page says
 * so in the log.
 */
function checkWidget(file: string, logger: AppLogger): void {
  if (!existsSync(file))
    logger.warn({ code: 'widget-missing' }, 'widget.js is missing: run npm run build:widget');
}

function schedulePurge(store: Store, logger: AppLogger, observatory: Observatory): NodeJS.Timeout {
  const purge = () => {
    store.conversations
      .purgeExpired(Date.now())
      .then((removed) => {
        if (removed > 0) logger.info({ removed }, 'expired conversations purged');
      })
      .catch(() => logger.warn({ code: 'purge-failed' }, 'purge of expired conversations failed'));
    // Observatory records older than DEFAULT_KEEP_MONTHS (24) stop counting (docs/observatory.md).
    observatory
      .purge(new Date())
      .then((removed) => {
        if (removed > 0) logger.info({ removed }, 'old observatory records purged');
      })
      .catch(() => logger.warn({ code: 'purge-failed' }, 'purge of observatory records failed'));
  };
  setImmediate(purge);
  const timer = setInterval(purge, PURGE_EVERY_MS);
  timer.unref();
  return timer;
}

/** Starts the server; resolves once it listens. */
export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, base: { service: 'clic-centre-ville' } });
  // Loaded after the configuration is known good, so a bad variable fails fast.
  const [
    { composeApp, WIDGET_FILE },
    { OPTIONAL_CHANNELS },
    { createDialogueEngine },
    { findRegion },
    { getCatalog },
  ] = await Promise.all([
    import('./compose.js'),
    import('./channels.js'),
    import('../dialogue/index.js'),
    import('../core/contacts.js'),
    import('../../catalog/load.js'),
  ]);
  // TOWN_REGION is the dialogue's knowledge on every channel (the contact is never asked): a
  // value that names no region of the guide would silently be asked again, so it stops the start.
  const region = config.town.region ? findRegion(getCatalog(), config.town.region) : undefined;
  if (config.town.region && !region) {
    fail(
      `TOWN_REGION=${JSON.stringify(config.town.region)} names no region of the guide: write its ` +
        'name (e.g. Bourgogne-Franche-Comté) or leave it empty to ask the person.',
    );
  }
  const { store, webLimiters, owner } = await openStore(config, logger);
  if (config.redisUrl && !(await store.ready())) {
    await store.close().catch(() => undefined);
    fail(
      'REDIS_URL is set, but the Redis server cannot be reached: check the address, or unset ' +
        'REDIS_URL to use the embedded SQLite store (one instance).',
    );
  }
  checkWidget(WIDGET_FILE, logger);

  let composed: ComposedApp;
  let observatory: Observatory;
  try {
    // The merchants' observatory (issue 9): salt from OBSERVATORY_SALT or DATA_DIR, records in
    // the store; it takes the consent effects and erasures, and feeds the territory diagnostic.
    const { openObservatory, loadSalt } = await import('../observatory/index.js');
    observatory = openObservatory({ config, store, logger }).observatory;
    // « Mon plan d'action » links are sealed with a key derived from the same salt (issue 19).
    const planSecret = loadSalt({
      ...(config.observatory.salt ? { configured: config.observatory.salt } : {}),
      dataDir: config.dataDir,
    }).salt;
    composed = await composeApp(config, {
      engine: createDialogueEngine({
        observatory,
        ...(region ? { region: region.name } : {}),
      }),
      store,
      logger,
      channelFactories: OPTIONAL_CHANNELS,
      observatory,
      planSecret,
      ...(webLimiters ? { webLimiters } : {}),
    });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const purgeTimer = schedulePurge(store, logger, observatory);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing turns in flight');
    clearInterval(purgeTimer);
    const force = setTimeout(() => {
      logger.error({ code: 'shutdown-timeout' }, 'shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    composed.close().then(
      () => {
        // The store is closed: the next process on this DATA_DIR may take it.
        owner?.release();
        logger.info({}, 'stopped');
        process.exit(0);
      },
      () => {
        logger.error({ code: 'shutdown-failed' }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await composed.app.listen({ port: config.port, host: config.host });
  const address = composed.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    {
      port,
      channels: composed.channels,
      store: store.kind,
      ...(config.redisUrl ? { redisKeyPrefix: config.redisKeyPrefix } : {}),
    },
    'listening',
  );
  void composed.startChannels();

  // A human hint on stderr (stdout carries the JSON logs).
  const base = config.publicUrl ?? `http://localhost:${port}`;
  console.error(
    [
      '',
      `  Clic Centre-Ville is running. Open the widget demo: ${base}/`,
      '  Try the dialogues in a terminal: npm run chat',
      '',
    ].join('\n'),
  );
}
