/**
 * Slack test kit: requests signed exactly as Slack signs them (form-encoded slash commands with
 * every real field, `payload=` JSON for interactivity), a fastify server composed with the Slack
 * plugin and the real dialogue engine, and the Web API and `response_url` intercepted with nock
 * at a fake SLACK_API_URL — every outgoing payload checked by the Block Kit validator.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import nock from 'nock';
import { afterEach, expect } from 'vitest';
import { createSlackChannel, type SlackChannel } from '../../adapters/slack/channel.js';
import { signSlackRequest } from '../../adapters/slack/verify.js';
import { getCatalog } from '../../catalog/load.js';
import { findRegion } from '../../src/core/contacts.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { withPlanLink, withPlanLinks } from '../../src/plan/links.js';
import { createPlanService } from '../../src/plan/service.js';
import type { Reply } from '../../src/reply/model.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { buildServer } from '../../src/server/build-server.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { Store } from '../../src/storage/types.js';
import { assertBlockKitMessage, assertModalView } from './block-kit-limits.js';

export const SECRET = 'test-signing-secret-8f2c41';
export const TOKEN = 'xoxb-1234-5678-test';
export const HOST = 'http://slack.test';
export const API_URL = `${HOST}/api/`;
export const TEAM = 'T0TOWNHALL';
export const USER = 'U0MANAGER';

// === Signing

/** Seconds since the epoch, as Slack writes `X-Slack-Request-Timestamp`. */
export function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

/** The headers Slack sends with a body (signature over `v0:{ts}:{raw body}`). */
export function slackHeaders(
  raw: string,
  options: { timestamp?: string; secret?: string; json?: boolean; retryNum?: number } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? nowSeconds();
  return {
    'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signSlackRequest(options.secret ?? SECRET, timestamp, raw),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...(options.retryNum !== undefined
      ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
      : {}),
  };
}

let triggerCounter = 0;

/** A slash command body with every field Slack sends, form-encoded. */
export function commandBody(text: string, overrides: Record<string, string> = {}): string {
  triggerCounter++;
  return new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: TEAM,
    team_domain: 'mairie-de-dole',
    channel_id: 'C0COMMERCE',
    channel_name: 'commerce',
    user_id: USER,
    user_name: 'manager.commerce',
    command: '/centreville',
    text,
    api_app_id: 'A0CLICCV',
    is_enterprise_install: 'false',
    response_url: `${HOST}/commands/${TEAM}/1234/resp${triggerCounter}`,
    trigger_id: `13345224609.738474920.trig${triggerCounter}`,
    ...overrides,
  }).toString();
}

/** Interactivity is `payload=<JSON>` form-encoded. */
export function payloadBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A `block_actions` payload for one button press in an ephemeral message. */
export function blockActionPayload(actionId: string, value: string): Record<string, unknown> {
  triggerCounter++;
  return {
    type: 'block_actions',
    user: { id: USER, username: 'manager.commerce', name: 'manager.commerce', team_id: TEAM },
    api_app_id: 'A0CLICCV',
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    container: {
      type: 'message',
      message_ts: '1700000000.000100',
      channel_id: 'C0COMMERCE',
      is_ephemeral: true,
    },
    trigger_id: `13345224609.738474920.trig${triggerCounter}`,
    team: { id: TEAM, domain: 'mairie-de-dole' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: 'C0COMMERCE', name: 'commerce' },
    state: { values: {} },
    response_url: `${HOST}/actions/${TEAM}/1234/act${triggerCounter}`,
    actions: [
      {
        action_id: actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Bouton', emoji: true },
        value,
        type: 'button',
        action_ts: '1700000001.000200',
      },
    ],
  };
}

/** A `view_submission` payload for a modal with these state values. */
export function viewSubmissionPayload(
  callbackId: string,
  values: Record<string, Record<string, unknown>>,
  privateMetadata = '',
): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: TEAM, domain: 'mairie-de-dole' },
    user: { id: USER, username: 'manager.commerce', name: 'manager.commerce', team_id: TEAM },
    api_app_id: 'A0CLICCV',
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    trigger_id: `13345224609.738474920.view${++triggerCounter}`,
    view: {
      id: 'V0DIAG',
      team_id: TEAM,
      type: 'modal',
      callback_id: callbackId,
      private_metadata: privateMetadata,
      hash: '1700000000.abcdef',
      title: { type: 'plain_text', text: 'Diagnostic du territoire' },
      blocks: [],
      state: { values },
      app_id: 'A0CLICCV',
      bot_id: 'B0CLICCV',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** One state value as Slack sends it. */
export const state = {
  number: (value: string) => ({ v: { type: 'number_input', value } }),
  radio: (value: string | null) => ({
    v: {
      type: 'radio_buttons',
      selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null,
    },
  }),
  select: (value: string | null) => ({
    v: {
      type: 'static_select',
      selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null,
    },
  }),
  text: (value: string) => ({ v: { type: 'plain_text_input', value } }),
};

// === The app under test, and what it sent

/** A Web API call seen by nock (method and decoded arguments). */
export interface ApiCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
}

/** A response_url POST seen by nock. */
export interface HookPost {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** Everything a test needs. */
export interface SlackTestApp {
  readonly app: FastifyInstance;
  readonly channel: SlackChannel;
  readonly store: Store;
  /** The runtime the channel talks to (with plan links when `plans` is set). */
  readonly runtime: Runtime;
  readonly api: ApiCall[];
  readonly hooks: HookPost[];
  /** Block Kit problems found in outgoing payloads (asserted empty after each test). */
  readonly violations: string[];
  /** Sends a signed request to `/slack/events`. */
  post(raw: string, headers: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Posts a signed slash command. */
  command(
    text: string,
    extra?: { retryNum?: number; raw?: string },
  ): Promise<LightMyRequestResponse>;
  /** Posts a signed interactivity payload. */
  interact(payload: unknown): Promise<LightMyRequestResponse>;
  /** Waits for the work after the acks, then closes everything. */
  close(): Promise<void>;
}

function decodeApiBody(body: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> =
    typeof body === 'string'
      ? Object.fromEntries(new URLSearchParams(body))
      : body !== null && typeof body === 'object'
        ? { ...(body as Record<string, unknown>) }
        : {};
  for (const key of ['view', 'blocks']) {
    const v = fields[key];
    if (typeof v === 'string') fields[key] = JSON.parse(v) as unknown;
  }
  return fields;
}

function check(violations: string[], what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    violations.push(`${what}: ${(error as Error).message}`);
  }
}

/** Options of {@link createSlackTestApp}. */
export interface SlackTestOptions {
  /** Delay every Web API and response_url answer (ms). */
  readonly delayMs?: number;
  readonly bilan?: () => Promise<readonly Reply[]>;
  readonly townRegion?: string;
  /** « Mon plan d'action » (issue 19): links under this PUBLIC_URL, sealed with this secret. */
  readonly plans?: { readonly publicUrl: string; readonly secret: string };
}

/** The apps opened by {@link createSlackTestApp} and not yet closed by the after-each hook. */
const openApps = new Set<SlackTestApp>();

/**
 * Registers, for the calling test file, the after-each step every Slack test shares: close the
 * app the test opened and check that none of its payloads broke a Block Kit limit.
 */
export function closeSlackAppsAfterEach(): void {
  afterEach(async () => {
    const apps = [...openApps];
    openApps.clear();
    for (const app of apps) {
      await app.close();
      expect(app.violations).toEqual([]);
    }
  });
}

/** The last of `count` response_url posts, once the work after the ack is done. */
export async function lastHook(app: SlackTestApp, count: number): Promise<Record<string, unknown>> {
  await until(() => app.hooks.length >= count);
  await app.channel.drain();
  const hook = app.hooks[count - 1];
  if (!hook) throw new Error('no response_url post');
  return hook.body;
}

/**
 * Builds the server with the Slack channel, nock intercepting Slack at {@link HOST}; the app is
 * closed by {@link closeSlackAppsAfterEach}.
 */
export async function createSlackTestApp(options: SlackTestOptions = {}): Promise<SlackTestApp> {
  nock.disableNetConnect();
  const api: ApiCall[] = [];
  const hooks: HookPost[] = [];
  const violations: string[] = [];

  const apiScope = nock(HOST)
    .persist()
    .post(/^\/api\/[a-z.]+$/i)
    .delay(options.delayMs ?? 0)
    .reply((uri, body) => {
      const method = uri.replace('/api/', '');
      const args = decodeApiBody(body);
      api.push({ method, args });
      if (method === 'views.open' || method === 'views.push' || method === 'views.update') {
        check(violations, method, () => assertModalView(args.view));
      }
      if (method === 'chat.postMessage' || method === 'chat.postEphemeral') {
        check(violations, method, () => assertBlockKitMessage(args));
      }
      return [200, { ok: true }];
    });
  const hookScope = nock(HOST)
    .persist()
    .post(/^\/(commands|actions)\//)
    .delay(options.delayMs ?? 0)
    .reply((uri, body) => {
      const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as Record<
        string,
        unknown
      >;
      hooks.push({ path: uri, body: parsed });
      check(violations, `response_url ${uri}`, () => assertBlockKitMessage(parsed));
      return [200, 'ok'];
    });

  const logger = createLogger({ level: 'silent' });
  const store = createMemoryStore();
  const plans = options.plans ? createPlanService({ store, ...options.plans }) : undefined;
  // As the composition root does: TOWN_REGION is the dialogue's (the contact is never asked).
  const townRegion = options.townRegion ?? 'Bourgogne-Franche-Comté';
  const known = townRegion ? findRegion(getCatalog(), townRegion) : undefined;
  const engine = createDialogueEngine(known ? { region: known.name } : {});
  const runtime = plans
    ? withPlanLinks(createRuntime({ engine: withPlanLink(engine), store, logger }), plans)
    : createRuntime({ engine, store, logger });
  const channel = createSlackChannel({
    config: {
      slack: { signingSecret: SECRET, botToken: TOKEN, apiUrl: API_URL },
      town: { name: 'Dole', region: townRegion },
    },
    runtime,
    store,
    logger,
    ...(options.bilan ? { bilan: options.bilan } : {}),
    ...(plans ? { planSummary: (url: string) => plans.summary(url) } : {}),
  });
  const app = await buildServer({
    logger,
    metrics: createMetrics(),
    readiness: store,
    channels: [{ name: 'slack', plugin: channel.plugin }],
  });

  const post = (raw: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/slack/events', payload: raw, headers });

  const testApp: SlackTestApp = {
    app,
    channel,
    store,
    runtime,
    api,
    hooks,
    violations,
    post,
    command(text, extra = {}) {
      const raw = extra.raw ?? commandBody(text);
      return post(raw, slackHeaders(raw, { retryNum: extra.retryNum }));
    },
    interact(payload) {
      const raw = payloadBody(payload);
      return post(raw, slackHeaders(raw));
    },
    async close() {
      await channel.drain();
      await runtime.close();
      await app.close();
      await store.close();
      apiScope.persist(false);
      hookScope.persist(false);
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
  openApps.add(testApp);
  return testApp;
}

/** All the mrkdwn a message shows (sections, context), to assert on what the user reads. */
export function shownText(message: Record<string, unknown>): string {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Record<string, unknown>[]) : [];
  const parts: string[] = [];
  for (const block of blocks) {
    const text = block.text as { text?: string } | undefined;
    if (text?.text) parts.push(text.text);
    if (Array.isArray(block.elements)) {
      for (const el of block.elements as Record<string, unknown>[]) {
        const t = el.text as { text?: string } | string | undefined;
        if (typeof t === 'string') parts.push(t);
      }
    }
  }
  return parts.join('\n');
}

/** Every button of a message: label, action_id, value. */
export function buttonsOf(
  message: Record<string, unknown>,
): { label: string; actionId: string; value: string }[] {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Record<string, unknown>[]) : [];
  const out: { label: string; actionId: string; value: string }[] = [];
  const visit = (el: Record<string, unknown>) => {
    if (el.type !== 'button') return;
    out.push({
      label: (el.text as { text: string }).text,
      actionId: String(el.action_id),
      value: String(el.value ?? ''),
    });
  };
  for (const block of blocks) {
    if (block.accessory) visit(block.accessory as Record<string, unknown>);
    if (block.type === 'actions')
      for (const el of block.elements as Record<string, unknown>[]) visit(el);
  }
  return out;
}

/** Waits until `predicate` holds (work after the ack is asynchronous). */
export async function until(predicate: () => boolean, timeoutMs = 4000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
