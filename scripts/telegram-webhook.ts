/**
 * `npm run telegram:webhook` — points Telegram at this deployment: setWebhook to
 * `${PUBLIC_URL}/telegram/webhook` with TELEGRAM_WEBHOOK_SECRET and the update types the channel
 * handles, then prints what Telegram reports. `-- --delete` removes the webhook (to go back to
 * long polling). Reads the same environment as the server (see docs/telegram.md).
 */
import { pathToFileURL } from 'node:url';
import { Api, GrammyError } from 'grammy';
import { ALLOWED_UPDATES, WEBHOOK_PATH } from '../adapters/telegram/channel.js';
import { loadConfig } from '../src/config.js';

/** What the script needs, checked with a message that says how to fix each gap. */
export interface WebhookSettings {
  readonly token: string;
  readonly secret: string;
  readonly url: string;
  readonly apiRoot?: string;
}

/** Reads and checks the environment; throws an Error whose message tells the operator the fix. */
export function webhookSettings(
  env: Readonly<Record<string, string | undefined>>,
): WebhookSettings {
  const config = loadConfig({ ...env, TELEGRAM_MODE: 'webhook' });
  const telegram = config.telegram;
  if (!telegram) {
    throw new Error(
      'TELEGRAM_BOT_TOKEN is missing: create a bot with @BotFather and put its token in TELEGRAM_BOT_TOKEN.',
    );
  }
  if (!telegram.webhookSecret) {
    throw new Error(
      'TELEGRAM_WEBHOOK_SECRET is missing: set 1 to 256 characters among A-Z a-z 0-9 _ - (e.g. `openssl rand -hex 32`).',
    );
  }
  if (!config.publicUrl) {
    throw new Error(
      'PUBLIC_URL is missing: set the public https address of this server, e.g. https://assistant.ville-exemple.fr.',
    );
  }
  if (!config.publicUrl.startsWith('https://')) {
    throw new Error(
      'PUBLIC_URL must start with https:// — Telegram only calls webhooks over HTTPS.',
    );
  }
  return {
    token: telegram.botToken,
    secret: telegram.webhookSecret,
    url: `${config.publicUrl}${WEBHOOK_PATH}`,
    ...(telegram.apiRoot ? { apiRoot: telegram.apiRoot } : {}),
  };
}

/**
 * Sets (or, with `remove`, deletes) the webhook and returns what to print. Separate from `main`
 * so a test can run it against a fake Bot API.
 */
export async function configureWebhook(
  settings: WebhookSettings,
  options: { readonly remove?: boolean } = {},
): Promise<string[]> {
  const api = new Api(settings.token, settings.apiRoot ? { apiRoot: settings.apiRoot } : {});
  if (options.remove) {
    await api.deleteWebhook();
    return ['Webhook removed: the bot can now run with TELEGRAM_MODE=polling.'];
  }
  await api.setWebhook(settings.url, {
    secret_token: settings.secret,
    allowed_updates: [...ALLOWED_UPDATES],
    drop_pending_updates: false,
  });
  const info = await api.getWebhookInfo();
  const lines = [
    `Webhook set: ${info.url}`,
    `Update types: ${(info.allowed_updates ?? ALLOWED_UPDATES).join(', ')}`,
    `Pending updates: ${info.pending_update_count}`,
  ];
  if (info.last_error_message) {
    lines.push(`Last delivery error reported by Telegram: ${info.last_error_message}`);
  }
  return lines;
}

async function main(): Promise<number> {
  let settings: WebhookSettings;
  try {
    settings = webhookSettings(process.env);
  } catch (error) {
    console.error(`telegram:webhook — ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    const lines = await configureWebhook(settings, { remove: process.argv.includes('--delete') });
    for (const line of lines) console.log(line);
    return 0;
  } catch (error) {
    if (error instanceof GrammyError) {
      console.error(
        `telegram:webhook — Telegram refused (${error.error_code}): ${error.description}`,
      );
      if (error.error_code === 401 || error.error_code === 404) {
        console.error('Check TELEGRAM_BOT_TOKEN (and TELEGRAM_API_ROOT if you set it).');
      }
    } else {
      console.error(`telegram:webhook — ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
