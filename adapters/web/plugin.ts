/**
 * The web channel as an encapsulated fastify plugin: the widget's HTTP API (SPEC §6), the
 * bundled `widget.js` and the demo page. Its own CORS, rate limits, body limit and error
 * handler stay inside this scope, so the Telegram and Slack plugins keep theirs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChannelPlugin } from '../../src/channel.js';
import type { Reply } from '../../src/reply/model.js';
import type { Channel, InboundEvent, TurnContext } from '../../src/runtime/types.js';
import { DEMO_CSS, renderDemoPage } from './demo.js';
import {
  conversationIdParam,
  createConversationBody,
  isConversationId,
  MAX_BODY_BYTES,
  postMessageBody,
  toMessageEvent,
  toStartEvent,
  WEB_MESSAGES,
} from './inbound.js';
import { createMemoryRateLimiter, failOpen, type RateLimiter } from './rate-limit.js';
import {
  renderTranscript,
  renderWebReply,
  type TranscriptEntryLike,
  webReplySchema,
  webTranscriptMessageSchema,
} from './render.js';

// === Dependencies

/** The part of the runtime the web channel uses (see src/runtime/runtime.ts). */
export interface WebRuntime {
  turn(
    key: string,
    event: InboundEvent,
    ctx: TurnContext,
    options?: {
      readonly idempotencyKey?: string;
      readonly mustExist?: boolean;
      readonly isNew?: boolean;
    },
  ): Promise<{
    readonly replies: readonly Reply[];
    readonly outcome: string;
    /** Nothing was stored (the store is away): answered 503. */
    readonly retryable?: true;
  }>;
  transcript(key: string): Promise<readonly TranscriptEntryLike[] | undefined>;
  forget(channel: Channel, userRef: string): Promise<number>;
}

/** The part of the store the web channel uses: does a conversation exist? */
export interface WebConversationLookup {
  readonly conversations: { get(key: string): Promise<unknown> };
}

/** Settings and collaborators of the web channel. */
export interface WebChannelOptions {
  readonly runtime: WebRuntime;
  readonly store: WebConversationLookup;
  /** Browser origins allowed besides the server's own (`'*'` = any). */
  readonly allowedOrigins: readonly string[] | '*';
  /** The server's public URL; its origin is always allowed. */
  readonly publicUrl?: string;
  /** Requests per minute per IP and per conversation; 0 = off. */
  readonly rateLimitPerMinute: number;
  /** TOWN_NAME: used when the page gives no `data-town`, and shown on the demo page. */
  readonly defaultTown?: string;
  /** Path of the bundled widget; `/widget.js` answers 503 while it is missing. */
  readonly widgetFile?: string;
  /** Swappable limiters (Redis-backed later); in-memory by default. */
  readonly limiters?: { readonly perIp: RateLimiter; readonly perConversation: RateLimiter };
  /** Counted each time a limiter could not be reached and the request went through (metric). */
  readonly onRateLimitFailOpen?: () => void;
  readonly now?: () => Date;
  /**
   * The town team's messages after a seq (issue 18), for `GET …/:id/messages?after=`; absent
   * when handover is off (the route then answers an empty list).
   */
  readonly handoverMessages?: (key: string, after: number) => Promise<HandoverPollLike>;
}

/** What the handover service answers the widget's polling (src/handover/service.ts). */
export interface HandoverPollLike {
  readonly state: string;
  readonly seq: number;
  readonly messages: readonly { readonly seq: number; readonly reply: Reply }[];
}

/** What the widget shows while the store is away (503): nothing was done, try again. */
export const UNAVAILABLE_MESSAGE =
  'Désolé, le service reprend dans un instant. Réessayez dans quelques secondes.';
/** Seconds the client waits before trying again after a 503. */
const RETRY_AFTER_SECONDS = 2;

/** Random bytes drawn 4 KiB at a time (one system call per 256 ids), each byte used once. */
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** 128 random bits, base64url: 22 characters nobody can guess. */
export function newConversationId(): string {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return id;
}

const errorSchema = z.object({ error: z.string(), message: z.string() });
const API = '/api/web/conversations';

// === The plugin

/** Creates the web channel, ready to hand to `buildServer({ channels })`. */
export function createWebChannel(options: WebChannelOptions): ChannelPlugin {
  const now = options.now ?? (() => new Date());
  const given = options.limiters ?? {
    perIp: createMemoryRateLimiter({ limit: options.rateLimitPerMinute }),
    perConversation: createMemoryRateLimiter({ limit: options.rateLimitPerMinute }),
  };
  // Set by the plugin once fastify's logger is known.
  let warn: (obj: object, msg: string) => void = () => undefined;
  const limiterDown = (error: unknown, report: boolean) => {
    options.onRateLimitFailOpen?.();
    if (report) {
      warn(
        { code: 'rate-limit-fail-open', err: error instanceof Error ? error.name : typeof error },
        'rate limits off while their store is unreachable',
      );
    }
  };
  const limiters = {
    perIp: failOpen(given.perIp, limiterDown),
    perConversation: failOpen(given.perConversation, limiterDown),
  };
  /** Limits off (`WEB_RATE_LIMIT_PER_MINUTE=0`) and no limiter given: no counting at all. */
  const limiting = options.limiters !== undefined || options.rateLimitPerMinute > 0;
  const allowed = new Set(options.allowedOrigins === '*' ? [] : options.allowedOrigins);
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  /** SPEC §6: the demo page's own origin always works; others only when listed. */
  const originAllowed = (origin: string, request: FastifyRequest): boolean =>
    options.allowedOrigins === '*' ||
    allowed.has(origin) ||
    origin === publicOrigin ||
    origin === `${request.protocol}://${request.host}`;

  const plugin: FastifyPluginAsync = async (scope) => {
    const app = scope.withTypeProvider<ZodTypeProvider>();
    warn = (obj, msg) => scope.log.warn(obj, msg);
    let widget: { body: Buffer; etag: string } | undefined;
    if (options.widgetFile) {
      try {
        const body = await readFile(options.widgetFile);
        widget = {
          body,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
        };
      } catch {
        scope.log.warn(
          { code: 'widget-missing' },
          'widget.js is not built: run npm run build:widget',
        );
      }
    }

    // --- Errors of this scope: French messages, statuses the widget understands.
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const messages = error.validation.map((v) => v.message);
        const message =
          messages.find((m) => m === WEB_MESSAGES.textTooLong || m === WEB_MESSAGES.textOrAction) ??
          WEB_MESSAGES.badRequest;
        const code = message === WEB_MESSAGES.textTooLong ? 'text_too_long' : 'bad_request';
        return reply.code(400).send({ error: code, message });
      }
      if ((error as { code?: unknown }).code === 'store-unavailable') {
        return unavailable(reply);
      }
      const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
      if (status === 413) {
        return reply
          .code(413)
          .send({ error: 'body_too_large', message: WEB_MESSAGES.bodyTooLarge });
      }
      if (status === 415) {
        return reply
          .code(415)
          .send({ error: 'unsupported_media_type', message: WEB_MESSAGES.badRequest });
      }
      if (status >= 400 && status < 500) {
        const isJson = error instanceof SyntaxError || /JSON/i.test(error.code ?? '');
        return reply.code(400).send({
          error: isJson ? 'bad_json' : 'bad_request',
          message: isJson ? WEB_MESSAGES.badJson : WEB_MESSAGES.badRequest,
        });
      }
      request.log.error(
        {
          reqId: request.id,
          code: error.code ?? 'INTERNAL',
          route: request.routeOptions.url,
          err: { name: error.name },
        },
        'web request failed',
      );
      return reply.code(500).send({ error: 'internal_error', message: WEB_MESSAGES.unavailable });
    });

    // --- CORS and per-IP limits on the API only.
    const refuse = (reply: FastifyReply, status: number, error: string, message: string) =>
      reply.code(status).send({ error, message });
    /** The store is away: 503, Retry-After, the French message the widget shows. */
    const unavailable = (reply: FastifyReply) =>
      reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ error: 'unavailable', message: UNAVAILABLE_MESSAGE });

    // A callback hook (no promise per request); a hook that answers does not call `done`.
    scope.addHook('onRequest', (request, reply, done) => {
      if (!request.url.startsWith('/api/web/')) return done();
      const origin = request.headers.origin;
      if (origin !== undefined) {
        if (!originAllowed(origin, request)) {
          void refuse(reply, 403, 'forbidden_origin', WEB_MESSAGES.forbiddenOrigin);
          return;
        }
        void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      }
      if (request.method === 'OPTIONS' || !limiting) return done();
      limiters.perIp.hit(`ip:${request.ip}`).then((decision) => {
        if (decision.ok) return done();
        void reply.header('retry-after', String(decision.retryAfterSeconds));
        void refuse(reply, 429, 'rate_limited', WEB_MESSAGES.tooManyRequests);
      }, done);
    });

    scope.options('/api/web/*', async (request, reply) => {
      if (request.headers.origin === undefined) return reply.code(204).send();
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, DELETE')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '600')
        .send();
    });

    const exists = async (id: string): Promise<boolean> =>
      isConversationId(id) && (await options.store.conversations.get(`web:${id}`)) !== undefined;

    // --- POST /api/web/conversations → 201 { conversationId, messages }
    app.post(
      API,
      {
        bodyLimit: MAX_BODY_BYTES,
        schema: {
          body: createConversationBody.optional(),
          response: {
            201: z.object({ conversationId: z.string(), messages: z.array(webReplySchema) }),
            '4xx': errorSchema,
            503: errorSchema,
          },
        },
      },
      async (request, reply) => {
        const id = newConversationId();
        const start = toStartEvent(request.body ?? {}, options.defaultTown);
        const result = await options.runtime.turn(
          `web:${id}`,
          start,
          { channel: 'web', userRef: id, ...(start.town ? { town: start.town } : {}), now: now() },
          { isNew: true },
        );
        // Not stored: never a 201 with an id the next message would not find.
        if (result.outcome === 'error') return unavailable(reply);
        return reply
          .code(201)
          .send({ conversationId: id, messages: result.replies.map(renderWebReply) });
      },
    );

    // --- POST /api/web/conversations/:id/messages → 200 { messages }
    app.post(
      `${API}/:id/messages`,
      {
        bodyLimit: MAX_BODY_BYTES,
        schema: {
          params: conversationIdParam,
          body: postMessageBody,
          response: {
            200: z.object({ messages: z.array(webReplySchema), forgotten: z.boolean().optional() }),
            '4xx': errorSchema,
            503: errorSchema,
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!isConversationId(id)) return refuse(reply, 404, 'not_found', WEB_MESSAGES.notFound);
        if (limiting) {
          const decision = await limiters.perConversation.hit(`conv:${id}`);
          if (!decision.ok) {
            void reply.header('retry-after', String(decision.retryAfterSeconds));
            return refuse(reply, 429, 'rate_limited', WEB_MESSAGES.tooManyRequests);
          }
        }
        // The runtime loads the conversation anyway: it says when there is none (no pre-read).
        const result = await options.runtime.turn(
          `web:${id}`,
          toMessageEvent(request.body),
          { channel: 'web', userRef: id, now: now() },
          request.body.clientMessageId
            ? { idempotencyKey: request.body.clientMessageId, mustExist: true }
            : { mustExist: true },
        );
        if (result.outcome === 'missing') {
          return refuse(reply, 404, 'not_found', WEB_MESSAGES.notFound);
        }
        if (result.retryable) return unavailable(reply);
        return {
          messages: result.replies.map(renderWebReply),
          ...(result.outcome === 'forgotten' ? { forgotten: true } : {}),
        };
      },
    );

    // --- GET /api/web/conversations/:id/messages?after=<seq> → the town team's new messages
    app.get(
      `${API}/:id/messages`,
      {
        schema: {
          params: conversationIdParam,
          querystring: z.object({
            after: z.coerce
              .number()
              .int()
              .min(0)
              .max(2 ** 31)
              .default(0),
          }),
          response: {
            200: z.object({
              handover: z.enum(['none', 'consent', 'open', 'taken', 'closed']),
              seq: z.number().int(),
              messages: z.array(z.object({ seq: z.number().int(), message: webReplySchema })),
            }),
            '4xx': errorSchema,
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!(await exists(id))) return refuse(reply, 404, 'not_found', WEB_MESSAGES.notFound);
        void reply.header('cache-control', 'no-store');
        const poll = options.handoverMessages
          ? await options.handoverMessages(`web:${id}`, request.query.after)
          : { state: 'none', seq: 0, messages: [] };
        return {
          handover: poll.state as 'none' | 'consent' | 'open' | 'taken' | 'closed',
          seq: poll.seq,
          messages: poll.messages.map((m) => ({ seq: m.seq, message: renderWebReply(m.reply) })),
        };
      },
    );

    // --- GET /api/web/conversations/:id → the transcript
    app.get(
      `${API}/:id`,
      {
        schema: {
          params: conversationIdParam,
          response: {
            200: z.object({
              conversationId: z.string(),
              messages: z.array(webTranscriptMessageSchema),
            }),
            '4xx': errorSchema,
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const entries = isConversationId(id)
          ? await options.runtime.transcript(`web:${id}`)
          : undefined;
        if (!entries) return refuse(reply, 404, 'not_found', WEB_MESSAGES.notFound);
        void reply.header('cache-control', 'no-store');
        return { conversationId: id, messages: renderTranscript(entries) };
      },
    );

    // --- DELETE /api/web/conversations/:id → 204, everything erased
    app.delete(
      `${API}/:id`,
      {
        schema: {
          params: conversationIdParam,
          response: { 204: z.null(), '4xx': errorSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!(await exists(id))) return refuse(reply, 404, 'not_found', WEB_MESSAGES.notFound);
        await options.runtime.forget('web', id);
        return reply.code(204).send(null);
      },
    );

    // --- The widget bundle and the demo page.
    scope.get('/widget.js', async (request, reply) => {
      void reply.header('cross-origin-resource-policy', 'cross-origin');
      if (!widget) {
        return reply
          .code(503)
          .type('application/javascript; charset=utf-8')
          .send('/* widget.js is not built: run npm run build:widget */\n');
      }
      void reply
        .header('cache-control', 'public, max-age=300')
        .header('etag', widget.etag)
        .type('application/javascript; charset=utf-8');
      if (request.headers['if-none-match'] === widget.etag) return reply.code(304).send();
      return reply.send(widget.body);
    });

    scope.get('/demo.css', async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=300')
        .type('text/css; charset=utf-8')
        .send(DEMO_CSS),
    );

    app.get(
      '/',
      {
        schema: {
          querystring: z.object({
            start: z
              .string()
              .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
              .optional()
              .catch(undefined),
            inline: z.string().optional().catch(undefined),
          }),
        },
      },
      async (request, reply) => {
        const html = renderDemoPage({
          town: options.defaultTown ?? 'Sens',
          ...(request.query.start ? { start: request.query.start } : {}),
          inline: request.query.inline === '1',
        });
        return reply.type('text/html; charset=utf-8').send(html);
      },
    );
  };

  return { name: 'web', plugin };
}
