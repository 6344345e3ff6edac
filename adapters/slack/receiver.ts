/**
 * Bolt's transport on our fastify server: a custom `Receiver` (after bolt-js's
 * `examples/custom-receiver`) exposed as an encapsulated fastify plugin for `POST /slack/events`.
 * It only carries requests: raw-body parsing confined to its own scope, Slack's signature check
 * (401 otherwise), `ssl_check` and `url_verification`, de-duplication of retries, then
 * `app.processEvent`. The HTTP answer leaves as soon as a listener calls `ack()` — the work after
 * it (Web API calls) never delays it — and a request nobody acknowledges in 3 s is closed the way
 * Bolt does it. The receiver answers through fastify's reply rather than the raw socket, so that
 * the server's hooks (security headers, access log, metrics) apply to Slack requests too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import {
  type App,
  type CodedError,
  HTTPModuleFunctions,
  type Receiver,
  type ReceiverEvent,
  ReceiverMultipleAckError,
} from '@slack/bolt';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { verifySlackSignature } from './verify.js';

// === Options

/** The logging surface the receiver needs (pino fits). */
export interface ReceiverLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Settings of {@link createSlackReceiver}. */
export interface SlackReceiverOptions {
  readonly signingSecret: string;
  readonly logger: ReceiverLogger;
  /**
   * True the first time a request id is seen (the store's `markSeen`); a repeat is answered 200
   * without reaching the app. Errors count as « first time » (better twice than never).
   */
  readonly markSeen: (id: string) => Promise<boolean>;
  /**
   * Called (after the 200, in the background) with the id of a request seen before: a retry
   * whose turn is stored but whose replies were not all delivered gets them now (the outbox).
   */
  readonly redeliver?: (id: string) => Promise<unknown>;
  /** Route path; `/slack/events` by default. */
  readonly path?: string;
  /** Largest body accepted (block_actions carry the whole message): 512 KiB by default. */
  readonly bodyLimit?: number;
  /** After this long without `ack()`, the request is closed (Bolt: 3001 ms). */
  readonly ackTimeoutMs?: number;
  /** Clock for the signature window, epoch ms (tests). */
  readonly now?: () => number;
}

/** The receiver: a Bolt `Receiver` plus the fastify plugin that feeds it. */
export interface SlackReceiver extends Receiver {
  readonly plugin: FastifyPluginAsync;
  /** Resolves when every event handed to the app has finished (acknowledged or not). */
  drain(): Promise<void>;
}

// === Parsing

/** A Slack request body, already decoded (form fields, or the JSON of `payload=`, or JSON). */
type SlackBody = Record<string, unknown>;

function decodeBody(contentType: string | undefined, raw: string): SlackBody | undefined {
  try {
    if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      const form = parseQuery(raw);
      if (typeof form.payload === 'string') {
        const payload: unknown = JSON.parse(form.payload);
        return isRecord(payload) ? payload : undefined;
      }
      return form as SlackBody;
    }
    const json: unknown = JSON.parse(raw);
    return isRecord(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The de-duplication id (also the outbox id of the request's turn): Events API `event_id`, else
 * a digest of the whole signed body — scoped by the team when the body names it, so that two
 * workspaces never share an id.
 */
export function requestId(body: SlackBody, raw: string): string {
  const team = teamOf(body);
  const scope = team ? `slack:${team}` : 'slack';
  if (typeof body.event_id === 'string' && body.event_id.length <= 100) {
    return `${scope}:event:${body.event_id}`;
  }
  return `${scope}:body:${createHash('sha256').update(raw).digest('hex')}`;
}

/** The workspace of a request: `team_id` (commands, events) or `team.id` (interactivity). */
function teamOf(body: SlackBody): string | undefined {
  const team = body.team_id ?? (isRecord(body.team) ? body.team.id : undefined);
  return typeof team === 'string' && /^[A-Z0-9]{1,32}$/.test(team) ? team : undefined;
}

/** The request being processed, for the listeners: its id is their turn's outbox id. */
const current = new AsyncLocalStorage<{ readonly id: string }>();

/** The id of the Slack request whose listener is running (undefined outside one). */
export function currentSlackRequestId(): string | undefined {
  return current.getStore()?.id;
}

// === The receiver

type AckOutcome =
  | { readonly kind: 'ack'; readonly body: unknown }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'timeout' };

/** Creates the receiver; pass it to `new App({ receiver })`, then register `receiver.plugin`. */
export function createSlackReceiver(options: SlackReceiverOptions): SlackReceiver {
  const { logger } = options;
  const path = options.path ?? '/slack/events';
  const ackTimeoutMs = options.ackTimeoutMs ?? 3001;
  const now = options.now ?? Date.now;
  const inFlight = new Set<Promise<unknown>>();
  let app: App | undefined;

  async function handle(
    raw: string,
    headers: Record<string, string | string[] | undefined>,
    reply: FastifyReply,
    retry: { num: number | undefined; reason: string | undefined },
  ): Promise<FastifyReply> {
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : '';

    // --- ssl_check: no signature, nothing processed (Bolt does the same).
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = parseQuery(raw);
      if (form.ssl_check === '1' && form.payload === undefined && form.command === undefined) {
        return reply.code(200).send();
      }
    }

    // --- Signature, exactly as Slack computes it.
    const verdict = verifySlackSignature({
      signingSecret: options.signingSecret,
      rawBody: raw,
      timestamp: headers['x-slack-request-timestamp'],
      signature: headers['x-slack-signature'],
      nowMs: now(),
    });
    if (!verdict.ok) {
      logger.warn({ channel: 'slack', code: verdict.problem }, 'slack request refused');
      return reply.code(401).send({ error: 'unauthorized', message: 'Signature Slack invalide.' });
    }

    const body = decodeBody(contentType, raw);
    if (!body) {
      return reply.code(400).send({ error: 'bad_request', message: 'Requête Slack illisible.' });
    }
    if (body.type === 'url_verification') {
      return reply.code(200).send({ challenge: String(body.challenge ?? '') });
    }

    // --- Retries: one answer per request, whatever Slack re-sends. An Events API event is
    // marked seen only once handled, and answered only then (within Slack's 3 s): an instance
    // that dies before its listener has stored what it must keep gets the event again from
    // Slack. Its listeners are idempotent (a thread reply is relayed once, by its `ts`).
    const id = requestId(body, raw);
    const holdEvent = body.type === 'event_callback';
    const mark = async (): Promise<boolean> => {
      try {
        return await options.markSeen(id);
      } catch {
        logger.warn({ channel: 'slack', code: 'dedupe-failed' }, 'slack de-duplication skipped');
        return true;
      }
    };
    const first = holdEvent ? true : await mark();
    if (!first) {
      // Its turn may be stored with replies still undelivered (a crash, a failed send).
      if (options.redeliver) track(options.redeliver(id));
      logger.info(
        {
          channel: 'slack',
          code: 'duplicate',
          retryNum: retry.num ?? 0,
          retryReason: retry.reason,
        },
        'slack retry ignored',
      );
      return reply.code(200).header('x-slack-no-retry', '1').send();
    }

    if (!app) {
      return reply.code(503).send({ error: 'unavailable', message: 'Slack n’est pas prêt.' });
    }
    return dispatch(app, body, reply, retry, id, holdEvent ? mark : undefined);
  }

  function track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      (error: unknown) => {
        logger.error({ channel: 'slack', code: codeOf(error) }, 'slack redelivery failed');
      },
    );
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
  }

  async function dispatch(
    target: App,
    body: SlackBody,
    reply: FastifyReply,
    retry: { num: number | undefined; reason: string | undefined },
    id: string,
    /** For an event: answered once its listener is done, then marked seen. */
    whenHandled?: () => Promise<boolean>,
  ): Promise<FastifyReply> {
    const started = Date.now();
    let settle: (outcome: AckOutcome) => void = () => undefined;
    const outcome = new Promise<AckOutcome>((resolve) => {
      settle = resolve;
    });
    let acknowledged = false;
    const event: ReceiverEvent = {
      body,
      ...(retry.num !== undefined ? { retryNum: retry.num } : {}),
      ...(retry.reason !== undefined ? { retryReason: retry.reason } : {}),
      customProperties: {},
      ack: async (response?: unknown) => {
        if (acknowledged) throw new ReceiverMultipleAckError();
        acknowledged = true;
        settle({ kind: 'ack', body: response });
      },
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), ackTimeoutMs);
    const processing = current
      .run({ id }, () => target.processEvent(event))
      .then(
        () => settle({ kind: 'done' }),
        (error: unknown) => {
          if (acknowledged) {
            logger.error(
              { channel: 'slack', code: codeOf(error) },
              'slack listener failed after ack',
            );
          }
          settle({ kind: 'error', error });
        },
      );
    inFlight.add(processing);
    void processing.finally(() => inFlight.delete(processing));

    const first = await outcome;
    clearTimeout(timer);
    switch (first.kind) {
      case 'ack':
        if (whenHandled) {
          // Bolt acknowledges events before their listener runs: wait for it, within the time
          // Slack gives (a slower listener goes on; the answer leaves before Slack retries).
          const left = Math.max(0, ackTimeoutMs - 500 - (Date.now() - started));
          let wait: NodeJS.Timeout | undefined;
          const done = await Promise.race([
            processing.then(() => true),
            new Promise<false>((resolve) => {
              wait = setTimeout(() => resolve(false), left);
            }),
          ]);
          clearTimeout(wait);
          if (done) await whenHandled();
        }
        return sendAck(reply, first.body);
      case 'done':
        // Nothing listened (an event we do not handle): a plain 200 stops Slack's retries.
        return reply.code(200).send();
      case 'timeout':
        logger.error(
          { channel: 'slack', code: 'not-acknowledged' },
          'slack request not acknowledged',
        );
        return reply.code(404).send();
      default:
        logger.error({ channel: 'slack', code: codeOf(first.error) }, 'slack event failed');
        return reply
          .code(500)
          .send({ error: 'internal_error', message: 'Désolé, un souci technique est survenu.' });
    }
  }

  const plugin: FastifyPluginAsync = async (instance) => {
    // Slack signs the bytes it sent: keep both content types as strings, in this scope only.
    const types = ['application/json', 'application/x-www-form-urlencoded'];
    instance.removeContentTypeParser(types);
    instance.addContentTypeParser(types, { parseAs: 'string' }, (_request, body, done) => {
      done(null, body);
    });
    instance.post(path, { bodyLimit: options.bodyLimit ?? 512 * 1024 }, async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      return handle(raw, request.headers, reply, {
        num: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(request.raw),
        reason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(request.raw),
      });
    });
  };

  return {
    plugin,
    init(bolt: App) {
      app = bolt;
    },
    // The fastify server owns the socket: starting and stopping are the server's business.
    async start() {
      return undefined;
    },
    async stop() {
      return undefined;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** The ack body as Slack expects it: nothing, a text, or JSON (messages, modal errors). */
function sendAck(reply: FastifyReply, body: unknown): FastifyReply {
  if (body === undefined || body === null || body === '') return reply.code(200).send();
  if (typeof body === 'string') return reply.code(200).type('text/plain; charset=utf-8').send(body);
  return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function codeOf(error: unknown): string {
  const code = (error as Partial<CodedError> | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}
