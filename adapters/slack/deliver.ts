/**
 * Sending rendered messages to the person who asked: through the `response_url` Slack gave with
 * the command or the click (ephemeral, no scope needed, up to 5 uses in 30 min), and when there is
 * none or it fails, by a direct message from the bot (`chat.postMessage` to the user id). Only
 * Slack's own hosts (or the configured `SLACK_API_URL` host, for tests and proxies) are ever
 * called: a `response_url` is data from a request, and we do not post to arbitrary addresses.
 */
import type { webApi } from '@slack/bolt';
import type { SlackMessage } from './render.js';

/** The logging surface delivery needs. */
export interface DeliverLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Where to send: a response URL when we have one, the user otherwise. */
export interface DeliveryTarget {
  readonly responseUrl?: string;
  readonly userId: string;
}

/** Settings of {@link createDeliverer}. */
export interface DelivererOptions {
  readonly logger: DeliverLogger;
  /** Hosts a response_url may point to; hooks.slack.com and the API host by default. */
  readonly allowedHosts: readonly string[];
  /** Timeout of one response_url POST. */
  readonly timeoutMs?: number;
}

/**
 * Sends messages in order; resolves with how many were accepted before the first one that
 * neither path took (the rest is not sent: order matters). Never throws (failures are logged
 * without any message text).
 */
export type Deliver = (
  client: webApi.WebClient,
  target: DeliveryTarget,
  messages: readonly SlackMessage[],
) => Promise<number>;

/** The hosts a response_url may use: Slack's, plus the host of a custom API URL. */
export function responseUrlHosts(apiUrl?: string): string[] {
  const hosts = ['hooks.slack.com'];
  if (apiUrl) {
    try {
      hosts.push(new URL(apiUrl).host);
    } catch {
      // config already validated SLACK_API_URL; an unreadable one adds nothing
    }
  }
  return hosts;
}

/** True when `url` is an https URL on Slack's hooks host, or on one of `hosts` (any scheme). */
export function isAllowedResponseUrl(url: string, hosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.host === 'hooks.slack.com') return parsed.protocol === 'https:';
  return hosts.includes(parsed.host) && /^https?:$/.test(parsed.protocol);
}

/** Creates the deliverer. */
export function createDeliverer(options: DelivererOptions): Deliver {
  const { logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function viaResponseUrl(url: string, message: SlackMessage): Promise<boolean> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          response_type: 'ephemeral',
          replace_original: false,
          text: message.text,
          blocks: message.blocks,
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        logger.warn(
          { channel: 'slack', code: 'response-url-status', status: response.status },
          'response_url refused',
        );
      }
      return response.ok;
    } catch (error) {
      logger.warn(
        { channel: 'slack', code: 'response-url-failed', err: nameOf(error) },
        'response_url failed',
      );
      return false;
    }
  }

  async function viaDirectMessage(
    client: webApi.WebClient,
    userId: string,
    message: SlackMessage,
  ): Promise<boolean> {
    try {
      await client.chat.postMessage({
        channel: userId,
        text: message.text,
        blocks: message.blocks,
      });
      return true;
    } catch (error) {
      logger.error(
        { channel: 'slack', code: 'post-message-failed', err: nameOf(error) },
        'chat.postMessage failed',
      );
      return false;
    }
  }

  return async (client, target, messages) => {
    const url =
      target.responseUrl && isAllowedResponseUrl(target.responseUrl, options.allowedHosts)
        ? target.responseUrl
        : undefined;
    let accepted = 0;
    for (const message of messages) {
      if (url && (await viaResponseUrl(url, message))) {
        accepted++;
        continue;
      }
      if (!(await viaDirectMessage(client, target.userId, message))) break;
      accepted++;
    }
    return accepted;
  };
}

function nameOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}
