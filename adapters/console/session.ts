/**
 * A terminal conversation over the runtime: feeds lines, keeps the last turn's choices so that a
 * number picks a button, and renders what the assistant says. Used by main.ts and by tests.
 */

import type { Button } from '../../src/reply/model.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import type { InboundEvent } from '../../src/runtime/types.js';
import { choicesOf, lineToEvent } from './inbound.js';
import { renderTurn } from './render.js';

/** Options of {@link createConsoleSession}. */
export interface ConsoleSessionOptions {
  readonly runtime: Runtime;
  /** Deep link to start with (`diagnostic-territoire`, `objectif-3`, `fiche-<id>`…). */
  readonly start?: string;
  readonly town?: string;
  /** Conversation id (default `local`). */
  readonly id?: string;
  readonly ansi?: boolean;
  readonly now?: () => Date;
}

/** A terminal conversation. */
export interface ConsoleSession {
  /** Starts the conversation; returns what the assistant says. */
  open(): Promise<string>;
  /**
   * Picks up a stored conversation (SQLite data dir) where it stopped: shows the last answer and
   * its choices again. Starts a new one when nothing is stored.
   */
  resume(): Promise<string>;
  /** Sends one typed line; returns what the assistant says. */
  send(line: string): Promise<string>;
  /** Opens, sends every line, and returns the whole transcript (« > » marks the user's lines). */
  script(lines: readonly string[]): Promise<string>;
}

/** Creates a terminal conversation on a runtime (key `console:{id}`). */
export function createConsoleSession(options: ConsoleSessionOptions): ConsoleSession {
  const key = `console:${options.id ?? 'local'}`;
  const now = options.now ?? (() => new Date());
  let choices: Button[] = [];
  const turn = async (event: InboundEvent): Promise<string> => {
    const result = await options.runtime.turn(key, event, {
      channel: 'console',
      userRef: options.id ?? 'local',
      ...(options.town ? { town: options.town } : {}),
      now: now(),
    });
    choices = choicesOf(result.replies);
    return renderTurn(result.replies, { ansi: options.ansi ?? false });
  };
  const session: ConsoleSession = {
    open: () =>
      turn({
        type: 'start',
        ...(options.start ? { entry: options.start } : {}),
        ...(options.town ? { town: options.town } : {}),
      }),
    async resume() {
      const entries = await options.runtime.transcript(key);
      const last = entries?.filter((e) => e.from === 'bot' && e.replies?.length).at(-1);
      if (!last?.replies) return session.open();
      choices = choicesOf(last.replies);
      const again = renderTurn(last.replies, { ansi: options.ansi ?? false });
      return `(Reprise de notre conversation.)\n\n${again}`;
    },
    send: (line) => turn(lineToEvent(line, choices)),
    async script(lines) {
      const out = [await session.open()];
      for (const line of lines) {
        out.push(`> ${line}`);
        out.push(await session.send(line));
      }
      return out.join('\n\n');
    },
  };
  return session;
}
