/**
 * Test helpers for the HTTP layer: a small fake dialogue engine (accueil → objectives →
 * objective cards → fiche) that counts the steps it took, and a server composed around it with
 * the memory store and a logger that writes into an array.
 */
import { Writable } from 'node:stream';
import { type ComposeDeps, type ComposedApp, composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { button, card, makeReply, para, text } from '../../src/reply/build.js';
import type { Reply } from '../../src/reply/model.js';
import type { DialogueEngine, InboundEvent, StepResult } from '../../src/runtime/types.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { Store } from '../../src/storage/types.js';

/** What the fake engine keeps: where the user is and how many events it handled. */
export interface FakeSnapshot {
  readonly at: 'accueil' | 'menu' | 'objectif' | 'fiche';
  readonly steps: number;
}

const welcome = (): Reply =>
  makeReply({
    blocks: [para('Bonjour ! Je suis l’assistant Clic Centre-Ville. Vous êtes…')],
    buttons: [button('Commerçant·e', 'aud:commercant'), button('Collectivité', 'aud:collectivite')],
  });

const menu = (): Reply =>
  makeReply({
    blocks: [para('Que souhaitez-vous ?')],
    buttons: [
      button('Être trouvé·e et me faire connaître', 'obj:o2'),
      button('Vendre par de nouveaux canaux', 'obj:o5'),
    ],
  });

const objective = (): Reply =>
  makeReply({
    blocks: [
      para('Vendre par de nouveaux canaux : voici les solutions, les plus simples d’abord.'),
    ],
    cards: [
      card({
        title: 'Site de vente en ligne',
        lines: ['Maturité requise : fort'],
        buttons: [button('Voir la fiche', 'fiche:site-vente-en-ligne')],
      }),
    ],
    buttons: [button('Menu', 'nav:menu')],
  });

const fiche = (): Reply =>
  makeReply({
    blocks: [
      para('Site de vente en ligne — à partir de 30 € par mois et 2 à 3 % par transaction.'),
    ],
    buttons: [button('Détails', 'fiche:details'), button('Menu', 'nav:menu')],
  });

/**
 * A deterministic engine for HTTP tests. Text is answered without echoing it (like the real
 * search fallback would not echo markup either) unless it starts with « écho : ».
 */
export function createFakeEngine(): DialogueEngine {
  const step = (snapshot: unknown, event: InboundEvent): StepResult => {
    const s = snapshot as FakeSnapshot;
    const steps = s.steps + 1;
    if (event.type === 'action') {
      if (event.action.startsWith('aud:') || event.action === 'nav:menu') {
        return { snapshot: { at: 'menu', steps }, replies: [menu()] };
      }
      if (event.action === 'obj:o5') {
        return { snapshot: { at: 'objectif', steps }, replies: [objective()] };
      }
      if (event.action.startsWith('fiche:')) {
        return { snapshot: { at: 'fiche', steps }, replies: [fiche()] };
      }
      return {
        snapshot: { ...s, steps },
        replies: [text('Ce bouton date d’une étape précédente. Reprenons.')],
      };
    }
    if (event.type === 'text') {
      const echo = /^écho : (.*)$/s.exec(event.text);
      return {
        snapshot: { ...s, steps },
        replies: [text(echo ? `Vous avez écrit : ${echo[1]}` : `Message n° ${steps} bien reçu.`)],
      };
    }
    return { snapshot: { at: 'accueil', steps }, replies: [welcome()] };
  };
  return {
    flowId: 'fake',
    version: 1,
    start(event) {
      if (event.entry === 'objectif-5')
        return { snapshot: { at: 'objectif', steps: 0 }, replies: [objective()] };
      return { snapshot: { at: 'accueil', steps: 0 }, replies: [welcome()] };
    },
    step,
  };
}

/** A stream that collects the JSON log lines a server writes into `lines`. */
export function createLogSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
}

/** Options of {@link createTestApp}. */
export interface TestAppOptions {
  readonly env?: Record<string, string>;
  readonly engine?: DialogueEngine;
  readonly store?: Store;
  readonly logLines?: string[];
  readonly extra?: Partial<ComposeDeps>;
}

/** A composed server around the fake engine (rate limits off unless the env sets them). */
export async function createTestApp(
  options: TestAppOptions = {},
): Promise<ComposedApp & { store: Store }> {
  const config = loadConfig({ WEB_RATE_LIMIT_PER_MINUTE: '0', ...options.env });
  const store = options.store ?? createMemoryStore();
  const logger = options.logLines
    ? createLogger({ level: 'info', destination: createLogSink(options.logLines) })
    : createLogger({ level: 'silent' });
  const composed = await composeApp(config, {
    engine: options.engine ?? createFakeEngine(),
    store,
    logger,
    ...options.extra,
  });
  return { ...composed, store };
}
