/**
 * The handover's Slack side (issue 18): the request message in the town team's channel (Block
 * Kit, within Slack's limits), the person's messages in its thread, and the listeners that bring
 * « Je prends », « Clore » and the team's thread replies back to the handover service.
 *
 * What the person wrote reaches Slack as `plain_text` only (with a `&<>`-escaped fallback and
 * `mrkdwn: false`): `<!channel>`, `<@U…>`, links and `*gras*` arrive inert, nobody is pinged.
 */
import { webApi } from '@slack/bolt';
import type {
  HandoverRequestView,
  HandoverSlackPort,
  SlackRef,
} from '../../src/handover/service.js';
import { escapeMrkdwn, SLACK_LIMITS } from './render.js';

/** Action ids of the request's buttons. */
export const HANDOVER_SLACK_ACTIONS = { take: 'handover:take', close: 'handover:close' } as const;

/** Section fields Slack allows, and their length. */
const MAX_FIELDS = 10;
const FIELD_CHARS = 2000;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const plain = (text: string, max: number) => ({
  type: 'plain_text' as const,
  text: cut(text.trim() === '' ? '—' : text, max),
  emoji: true,
});

/** The request message as Block Kit, every value as plain text. */
export function requestMessage(view: HandoverRequestView): {
  text: string;
  blocks: webApi.KnownBlock[];
} {
  const where = [view.channelLabel, view.town, view.audience].filter(Boolean).join(' · ');
  const title = `Demande d’échange avec l’équipe — ${where}`;
  const blocks: webApi.KnownBlock[] = [
    { type: 'header', text: plain(title, SLACK_LIMITS.headerText) },
  ];
  const fields = [
    ['Canal', view.channelLabel] as const,
    ...(view.town ? [['Commune', view.town] as const] : []),
    ...view.fields,
  ].slice(0, MAX_FIELDS);
  blocks.push({
    type: 'section',
    fields: fields.map(([label, value]) => plain(`${label} : ${value}`, FIELD_CHARS)),
  });
  if (view.exchanges.length > 0) {
    const lines = view.exchanges.map(
      (e) => `${e.from === 'person' ? '👤' : '🤖'} ${cut(e.text.replace(/\s+/g, ' '), 400)}`,
    );
    blocks.push({
      type: 'section',
      text: plain(`Derniers échanges :\n${lines.join('\n')}`, SLACK_LIMITS.sectionText),
    });
  }
  const status =
    view.state === 'closed'
      ? `Close${view.closedBy ? ` par ${view.closedBy}` : ''}.`
      : view.state === 'taken'
        ? `Prise par ${view.takenBy ?? 'un membre de l’équipe'}. Répondez dans le fil : la personne reçoit vos messages.`
        : 'En attente. Répondez dans le fil : la personne reçoit vos messages.';
  blocks.push({ type: 'context', elements: [plain(status, 2000)] });
  const buttons: webApi.Button[] = [];
  if (view.state === 'open') {
    buttons.push({
      type: 'button',
      action_id: HANDOVER_SLACK_ACTIONS.take,
      text: plain('Je prends', SLACK_LIMITS.buttonText),
      style: 'primary',
      value: 'take',
    });
  }
  if (view.state !== 'closed') {
    buttons.push({
      type: 'button',
      action_id: HANDOVER_SLACK_ACTIONS.close,
      text: plain('Clore', SLACK_LIMITS.buttonText),
      value: 'close',
    });
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text: escapeMrkdwn(cut(`${title} — ${status}`, 3000)), blocks };
}

/** A message in the thread: the person's words (inert) or a notice of ours. */
export function threadMessage(message: { from: 'person' | 'notice'; text: string }): {
  text: string;
  blocks: webApi.KnownBlock[];
} {
  const prefix = message.from === 'person' ? '👤 La personne : ' : 'ℹ️ ';
  const body = `${prefix}${message.text}`;
  return {
    text: escapeMrkdwn(cut(body, 3000)),
    blocks: [{ type: 'section', text: plain(body, SLACK_LIMITS.sectionText) }],
  };
}

/** The Slack port of the handover service, over the Web API. */
export function createSlackHandoverPort(options: {
  readonly botToken: string;
  readonly apiUrl?: string;
}): HandoverSlackPort {
  const client = new webApi.WebClient(options.botToken, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 300, maxTimeout: 2000 },
    timeout: 10_000,
  });
  const quiet = { mrkdwn: false, unfurl_links: false, unfurl_media: false } as const;
  return {
    async postRequest(channel, view) {
      const result = await client.chat.postMessage({ channel, ...requestMessage(view), ...quiet });
      if (typeof result.ts !== 'string') throw new Error('chat.postMessage returned no ts');
      return {
        channel: typeof result.channel === 'string' ? result.channel : channel,
        ts: result.ts,
      };
    },
    async updateRequest(ref: SlackRef, view) {
      await client.chat.update({ channel: ref.channel, ts: ref.ts, ...requestMessage(view) });
    },
    async postInThread(ref, message) {
      await client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        ...threadMessage(message),
        ...quiet,
      });
    },
    async displayName(userId) {
      const result = await client.users.info({ user: userId });
      const profile = result.user?.profile;
      const name = profile?.first_name || profile?.display_name || profile?.real_name;
      return typeof name === 'string' && name.trim() !== '' ? cut(name.trim(), 80) : undefined;
    },
  };
}

/**
 * A Slack message text as the plain text a person reads: links as « label (url) », mentions as
 * names-free words, Slack's `&amp; &lt; &gt;` decoded. The result is plain text: Telegram's
 * and the widget's renderers escape it (a `<b>` typed in Slack arrives as the text « <b> »).
 */
export function slackTextToPlain(text: string): string {
  return text
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/<mailto:([^|>]+)(?:\|[^>]+)?>/g, '$1')
    .replace(/<@[A-Z0-9]+(?:\|[^>]+)?>/g, '@quelqu’un')
    .replace(/<#[A-Z0-9]+(?:\|([^>]+))?>/g, (_m, name?: string) => `#${name ?? 'canal'}`)
    .replace(/<!(here|channel|everyone)(?:\|[^>]+)?>/g, '@$1')
    .replace(/<![^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
