/**
 * The channel port: what a channel adapter (web, Telegram, Slack) hands the server. Each one is
 * an encapsulated fastify plugin, so its body parsers, auth hooks and error handler stay inside
 * its own scope. Adapters import this, never the server or the composition root.
 */
import type { FastifyPluginAsync } from 'fastify';

/** A channel mounted into the server (web, Telegram, Slack…). */
export interface ChannelPlugin {
  /** Short name used in logs (« web », « telegram »…). */
  readonly name: string;
  readonly plugin: FastifyPluginAsync;
  /** Optional URL prefix for every route of the plugin. */
  readonly prefix?: string;
  /** Started once the server listens (e.g. Telegram long polling, setMyCommands). */
  readonly start?: () => Promise<void>;
  /** Stops background work and waits for it, after HTTP stopped and before the store closes. */
  readonly stop?: () => Promise<void>;
}
