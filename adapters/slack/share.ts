/**
 * « Mon plan d'action » on Slack (issue 19): under the link reply, a button that opens the page
 * and « Partager dans le canal », which posts a compact summary with the link where the command
 * was typed, visible to everyone there — through the click's `response_url` (`in_channel`, no
 * scope needed), else `chat.postMessage` to that channel (the bot must be a member). The summary
 * comes from the plan itself, and only for a link of ours: a button's value is request data.
 */
import type { types, webApi } from '@slack/bolt';
import type { LinkButton } from '../../src/reply/model.js';
import { isAllowedResponseUrl } from './deliver.js';
import { escapeMrkdwn, SLACK_LIMITS, type SlackMessage } from './render.js';

/** Action id prefixes of the two plan buttons. */
export const PLAN_OPEN_ACTION = 'cv-plan-open:';
export const PLAN_SHARE_ACTION = 'cv-plan-share:';

/** What « Partager » posts: the same shape as `src/plan/summary.ts`'s PlanSummary. */
export interface SharedPlan {
  readonly title: string;
  readonly lines: readonly string[];
  readonly url: string;
}

/** Reads the summary of one of our plan URLs (undefined for anything else). */
export type PlanSummaries = (url: string) => Promise<SharedPlan | undefined>;

const SHARE_LABEL = 'Partager dans le canal';
/** Slack's limit on a button's value. */
const MAX_VALUE = 2000;

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function isPlanUrl(url: string): boolean {
  try {
    return new URL(url).pathname.startsWith('/plan/');
  } catch {
    return false;
  }
}

/** The link buttons of a reply: open the page (URL button), and share it when it fits. */
export function planActions(links: readonly LinkButton[], index: number): types.ActionsBlock[] {
  return links.slice(0, 1).map((link) => ({
    type: 'actions',
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: cut(link.label, SLACK_LIMITS.buttonText), emoji: true },
        action_id: `${PLAN_OPEN_ACTION}${index}`,
        url: link.url,
        style: 'primary',
      },
      // Only a plan can be shared (the observatory's signed link stays with who asked for it).
      ...(link.url.length <= MAX_VALUE && isPlanUrl(link.url)
        ? [
            {
              type: 'button' as const,
              text: { type: 'plain_text' as const, text: SHARE_LABEL, emoji: true },
              action_id: `${PLAN_SHARE_ACTION}${index}`,
              value: link.url,
            },
          ]
        : []),
    ],
  }));
}

/** The message posted in the channel: a header, the summary, the button, the source. */
export function sharedPlanMessage(plan: SharedPlan): SlackMessage {
  const body = plan.lines.map((l) => `• ${escapeMrkdwn(l)}`).join('\n');
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(plan.title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(body, SLACK_LIMITS.sectionText) } },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Ouvrir le plan d’action', emoji: true },
          action_id: `${PLAN_OPEN_ACTION}shared`,
          url: plan.url,
        },
      ],
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Partagé depuis Clic Centre-Ville · chiffres et règles du guide « Dynamiser le commerce de centre-ville en un clic ? » (Banque des Territoires)',
        },
      ],
    },
  ];
  return { text: cut(`${plan.title} : ${plan.lines.join(' ')} ${plan.url}`, 3000), blocks };
}

/** Where a share goes. */
export interface ShareTarget {
  readonly responseUrl?: string;
  readonly channelId?: string;
}

/**
 * Posts `message` visible to the channel; false when neither way worked (the caller tells the
 * person, privately). Never throws; logs carry no message text.
 */
export async function postInChannel(
  client: webApi.WebClient,
  target: ShareTarget,
  message: SlackMessage,
  options: {
    readonly allowedHosts: readonly string[];
    readonly logger: { warn(obj: object, msg?: string): void };
  },
): Promise<boolean> {
  const url =
    target.responseUrl && isAllowedResponseUrl(target.responseUrl, options.allowedHosts)
      ? target.responseUrl
      : undefined;
  if (url) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          response_type: 'in_channel',
          replace_original: false,
          text: message.text,
          blocks: message.blocks,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      options.logger.warn(
        { channel: 'slack', code: 'share-response-url-status', status: response.status },
        'plan share: response_url refused',
      );
    } catch (error) {
      options.logger.warn(
        { channel: 'slack', code: 'share-response-url-failed', err: (error as Error).name },
        'plan share: response_url failed',
      );
    }
  }
  if (!target.channelId) return false;
  try {
    await client.chat.postMessage({
      channel: target.channelId,
      text: message.text,
      blocks: message.blocks,
    });
    return true;
  } catch (error) {
    options.logger.warn(
      { channel: 'slack', code: 'share-post-failed', err: (error as Error).name },
      'plan share: chat.postMessage failed',
    );
    return false;
  }
}
