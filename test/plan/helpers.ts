/**
 * A real server for the plan tests: the real dialogues, the memory store (or the one given), a
 * fixed PUBLIC_URL, and helpers that play a merchant's or a town's diagnostic as typed text and
 * return the link « Mon plan d'action » the conversation was given.
 */
import { getCatalog } from '../../catalog/load.js';
import { type ComposedApp, composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createObservatory } from '../../src/observatory/index.js';
import type { Reply } from '../../src/reply/model.js';
import type { Channel } from '../../src/runtime/types.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { Store } from '../../src/storage/types.js';

export const PUBLIC_URL = 'https://clic.ville-exemple.fr';
export const SECRET = 'a-test-secret-of-32-characters!!';

/** The first diagnostic of the terminal transcripts: P1 only → « faible ». */
export const BAKER = ['boulangerie', 'oui', 'non', 'pas vraiment', 'non', 'Sens'];
/** A territory at 45 % web-active (below the guide's 60 %), then the roadmap in Bourgogne. */
export const TOWN = [
  '80 %',
  '45',
  'un tiers',
  'Voir la feuille de route',
  'Bourgogne-Franche-Comté',
];

export interface PlanServer {
  readonly server: ComposedApp;
  readonly store: Store;
  /** Clock, moved by tests. */
  readonly clock: { now: number };
  /** Sends a start (entry) then each line; returns every reply of every turn. */
  play(id: string, entry: string, lines: readonly string[], channel?: Channel): Promise<Reply[]>;
  say(id: string, line: string, channel?: Channel): Promise<Reply[]>;
  /** Presses the button labelled `label` among `replies`. */
  press(id: string, replies: readonly Reply[], label: string, channel?: Channel): Promise<Reply[]>;
}

/** Composes the server; `env` adds to PUBLIC_URL. */
export async function planServer(
  env: Record<string, string> = {},
  makeStore: (now: () => number) => Store = (now) => createMemoryStore({ now }),
  withObservatory = false,
): Promise<PlanServer> {
  const clock = { now: Date.UTC(2026, 11, 3, 10, 0, 0) };
  const store = makeStore(() => clock.now);
  const observatory = withObservatory
    ? createObservatory({
        catalog: getCatalog(),
        records: store.records,
        salt: Buffer.from(SECRET),
      })
    : undefined;
  const server = await composeApp(
    loadConfig({ PUBLIC_URL: PUBLIC_URL, WEB_RATE_LIMIT_PER_MINUTE: '0', ...env }),
    {
      engine: createDialogueEngine(),
      store,
      logger: createLogger({ level: 'silent' }),
      planSecret: SECRET,
      now: () => new Date(clock.now),
      ...(observatory ? { observatory } : {}),
    },
  );
  const ctx = (channel: Channel, id: string) => ({
    channel,
    userRef: id,
    now: new Date(clock.now),
  });
  const say = async (id: string, line: string, channel: Channel = 'console') =>
    (await server.runtime.turn(`${channel}:${id}`, { type: 'text', text: line }, ctx(channel, id)))
      .replies as Reply[];
  return {
    server,
    store,
    clock,
    say,
    async press(id, replies, label, channel = 'console') {
      const action = replies
        .flatMap((r) => [...(r.buttons ?? []), ...(r.cards ?? []).flatMap((c) => c.buttons ?? [])])
        .find((b) => b.label === label)?.action;
      if (!action) throw new Error(`no button « ${label} »`);
      const result = await server.runtime.turn(
        `${channel}:${id}`,
        { type: 'action', action },
        ctx(channel, id),
      );
      return result.replies as Reply[];
    },
    async play(id, entry, lines, channel = 'console') {
      const out: Reply[] = [];
      const start = await server.runtime.turn(
        `${channel}:${id}`,
        { type: 'start', entry },
        ctx(channel, id),
      );
      out.push(...start.replies);
      for (const line of lines) out.push(...(await say(id, line, channel)));
      return out;
    },
  };
}

/** The plan link in replies (the URL button), or undefined. */
export function planLinkOf(replies: readonly Reply[]): string | undefined {
  for (const r of replies) for (const l of r.links ?? []) return l.url;
  return undefined;
}

/** The path part of a plan URL, for `app.inject`. */
export function pathOf(url: string): string {
  return new URL(url).pathname;
}

/** The attributes of every `<tag …>` in `html` whose class list holds `className`. */
export function svgElements(
  html: string,
  tag: string,
  className: string,
): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(new RegExp(`<${tag}\\b([^>]*?)/?>`, 'g'))) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1] ?? ''] = a[2] ?? '';
    if ((attrs.class ?? '').split(' ').includes(className)) out.push(attrs);
  }
  return out;
}
