/**
 * The fastify application without `listen`: health, readiness and metrics routes, security
 * headers, a JSON access log without message text or user ids, and each channel mounted as its
 * own encapsulated plugin. Tests drive it with `app.inject`; `main` listens.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChannelPlugin } from '../channel.js';
import type { Metrics } from '../metrics.js';
import { stringifyWithFragments } from '../reply/shared.js';

// === Public types

/** The channel port, re-exported for the composition root. */
export type { ChannelPlugin };

/** Anything that can tell whether the storage answers (the store's `ready()`). */
export interface Readiness {
  ready(): Promise<unknown> | unknown;
}

/** What {@link buildServer} needs; everything is injected so tests can swap it. */
export interface ServerDeps {
  readonly logger: FastifyBaseLogger;
  readonly metrics: Metrics;
  /** Checked by `/readyz` (the conversation store). */
  readonly readiness: Readiness;
  readonly channels: readonly ChannelPlugin[];
  /** Trust X-Forwarded-For from a reverse proxy (per-IP limits need the visitor's address). */
  readonly trustProxy?: boolean;
  /** Largest body any route accepts; channels set smaller limits on their own routes. */
  readonly bodyLimit?: number;
  /**
   * Check every response against its zod schema before sending it (a broken contract answers
   * 500). On by default except when NODE_ENV is `production`, where the handlers' typed output is
   * sent with a plain `JSON.stringify` (the tests check that both give the same bodies).
   */
  readonly checkResponses?: boolean;
}

/**
 * Content-Security-Policy of every response, the demo page included: only our own scripts,
 * styles and API; nothing inline, no third party, no framing.
 */
export const CONTENT_SECURITY_POLICY: Readonly<Record<string, string[]>> = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/** `frameAncestors` → `frame-ancestors`, and the directives joined as a header value. */
function cspHeader(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(
      ([name, values]) =>
        `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`,
    )
    .join(';');
}

/**
 * Headers of every response (helmet's set, with our CSP): the widget script, loaded by other
 * sites, relaxes `cross-origin-resource-policy` on its own route.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': cspHeader(CONTENT_SECURITY_POLICY),
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/**
 * Serializes a response without checking it: the schema stays the route's documented contract.
 * The replies that every conversation shares are written from their JSON, computed once.
 */
const plainSerializerCompiler = () => stringifyWithFragments;

const errorBody = z.object({ error: z.string(), message: z.string() });

// === The builder

/** Builds the whole HTTP application (no listen) from injected dependencies. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const checkResponses = deps.checkResponses ?? process.env.NODE_ENV !== 'production';
  const app = Fastify({
    // Every route validates with zod and serialises with our compiler: given here, fastify does
    // not load its default Ajv and fast-json-stringify compilers at all (~100 ms of start-up).
    // (fastify types these factories for JSON-schema compilers; ours take zod schemas.)
    schemaController: {
      compilersFactory: {
        buildValidator: () => validatorCompiler,
        buildSerializer: () => (checkResponses ? serializerCompiler : plainSerializerCompiler),
      },
    } as unknown as FastifyServerOptions['schemaController'],
    loggerInstance: deps.logger,
    // Fastify's request log lines carry URLs, which hold conversation ids: we log our own.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (binding and redacting it cost as much as a small route): our
    // few request log lines name the request id themselves.
    childLoggerFactory: (logger) => logger,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: deps.bodyLimit ?? 256 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Responses finished during shutdown close their keep-alive connection, so `close()` does not
  // wait for idle sockets to time out.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  // Security headers, computed once: the ones helmet set, without rebuilding helmet per request.
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(SECURITY_HEADERS);
    done();
  });

  // --- Access log: method, route pattern (never the raw URL), status, duration.
  app.addHook('onResponse', (request, reply, done) => {
    deps.metrics.observeHttp(reply.statusCode);
    const route = request.routeOptions.url ?? '(unmatched)';
    if (route !== '/healthz' && route !== '/readyz' && route !== '/metrics') {
      deps.logger.info(
        {
          reqId: request.id,
          method: request.method,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
    }
    done();
  });

  // --- One error funnel at the edge: known client errors keep their status, the rest is 500.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500;
    if (status >= 500) {
      request.log.error(
        {
          reqId: request.id,
          code: error.code ?? 'INTERNAL',
          route: request.routeOptions.url,
          err: { name: error.name, stack: error.stack },
        },
        'request failed',
      );
    }
    void reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send({
        error: status >= 500 ? 'internal_error' : (error.code ?? 'bad_request'),
        message:
          status >= 500
            ? 'Désolé, un souci technique est survenu. Réessayez dans un instant.'
            : 'Requête invalide.',
      });
  });

  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ error: 'not_found', message: 'Cette adresse n’existe pas.' });
  });

  // --- Operations routes.
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get(
    '/healthz',
    { schema: { response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  typed.get(
    '/readyz',
    {
      schema: {
        response: {
          200: z.object({ status: z.literal('ready') }),
          503: z.object({ status: z.literal('unavailable'), reason: z.string() }),
        },
      },
    },
    async (_request, reply) => {
      if (closing) return reply.code(503).send({ status: 'unavailable', reason: 'shutting down' });
      try {
        const ok = await deps.readiness.ready();
        if (ok === false) {
          return reply.code(503).send({ status: 'unavailable', reason: 'store not ready' });
        }
        return { status: 'ready' as const };
      } catch {
        return reply.code(503).send({ status: 'unavailable', reason: 'store not ready' });
      }
    },
  );

  app.get('/metrics', async (_request, reply) => {
    void reply.type('text/plain; version=0.0.4; charset=utf-8');
    return deps.metrics.render();
  });

  // --- Channels, each in its own encapsulated scope.
  for (const channel of deps.channels) {
    await app.register(channel.plugin, channel.prefix ? { prefix: channel.prefix } : {});
  }

  return app;
}

/** The JSON error body every route answers with (`{ error, message }`, message in French). */
export const errorResponseSchema = errorBody;
