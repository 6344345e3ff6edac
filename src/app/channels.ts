/**
 * The optional channels `main` knows about: each is mounted only when its settings are present
 * (SPEC §9: a channel without its tokens is simply off, logged once). Their SDKs (grammY, Bolt)
 * are imported only when the channel is on, which keeps start-up fast. The web channel is not
 * here: it is always on and built by `composeApp`.
 */
import { observatoryLinkReply } from '../observatory/page.js';
import type { ChannelFactory } from './compose.js';

/** Telegram (issue 7): webhook route, or long polling with `TELEGRAM_MODE=polling`. */
export const telegramFactory: ChannelFactory = {
  name: 'telegram',
  offReason: 'TELEGRAM_BOT_TOKEN is empty',
  enabled: (config) => config.telegram !== undefined,
  async create({ config, runtime, store, logger, handover }) {
    const telegram = config.telegram;
    if (!telegram) throw new Error('telegram settings missing');
    const { createTelegramChannel } = await import('../../adapters/telegram/channel.js');
    const channel = createTelegramChannel({
      config: telegram,
      runtime,
      store,
      logger,
      ...(config.town.name ? { town: config.town.name } : {}),
    });
    // The town team's answers (issue 18) reach the person as normal messages.
    handover?.deliverWith('telegram', (userRef, replies) => channel.push(userRef, replies));
    return {
      name: 'telegram',
      plugin: channel.plugin,
      start: () => channel.start(),
      stop: () => channel.stop(),
    };
  },
};

/** Slack (issue 8): `POST /slack/events` through Bolt's custom receiver. */
export const slackFactory: ChannelFactory = {
  name: 'slack',
  offReason: 'SLACK_SIGNING_SECRET or SLACK_BOT_TOKEN is empty',
  enabled: (config) => config.slack !== undefined,
  async create({ config, runtime, store, logger, observatory, plans, observatoryLink, handover }) {
    const { createSlackChannel } = await import('../../adapters/slack/channel.js');
    const channel = createSlackChannel({
      config,
      runtime,
      store,
      logger,
      ...(handover ? { handover } : {}),
      // « Bilan des commerçants » (issue 9): the town typed after the command, else TOWN_NAME.
      ...(observatory
        ? {
            bilan: async (request) => {
              const replies = await observatory.bilan({
                ...(request.town ? { town: request.town } : {}),
              });
              // The same figures drawn on a page, through a link signed for this town (issue 19).
              const url = request.town ? observatoryLink?.(request.town) : undefined;
              return url ? [...replies, observatoryLinkReply(url)] : replies;
            },
          }
        : {}),
      // « Partager dans le canal » (issue 19): the summary behind one of our plan links.
      ...(plans ? { planSummary: (url: string) => plans.summary(url) } : {}),
    });
    return { name: 'slack', plugin: channel.plugin, stop: () => channel.drain() };
  },
};

/** Every optional channel, in mounting order. */
export const OPTIONAL_CHANNELS: readonly ChannelFactory[] = [telegramFactory, slackFactory];
