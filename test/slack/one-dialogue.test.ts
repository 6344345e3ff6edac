/**
 * One dialogue for every channel (issue 17): the « Diagnostic du territoire » modal is only
 * another way to answer the dialogue's questions. The same answers typed one by one — as on the
 * web widget or Telegram — end on the very same result, message for message once rendered for
 * Slack.
 */
import { describe, expect, it } from 'vitest';
import { renderReplies } from '../../adapters/slack/render.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import type { Reply } from '../../src/reply/model.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import type { InboundEvent } from '../../src/runtime/types.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import {
  closeSlackAppsAfterEach,
  createSlackTestApp,
  state,
  until,
  viewSubmissionPayload,
} from './helpers.js';

closeSlackAppsAfterEach();

/**
 * The typed path: a web visitor's conversation, one typed message a turn; the last turn's replies.
 * The deployment is the Slack test app's (TOWN_REGION Bourgogne-Franche-Comté, the engine's option).
 */
async function typed(entry: string, texts: readonly string[]): Promise<readonly Reply[]> {
  const store = createMemoryStore();
  const runtime = createRuntime({
    engine: createDialogueEngine({ region: 'Bourgogne-Franche-Comté' }),
    store,
    logger: createLogger({ level: 'silent' }),
  });
  const ctx = { channel: 'web' as const, userRef: 'typed-visitor', town: 'Dole', now: new Date() };
  const events: InboundEvent[] = [
    { type: 'start', entry },
    ...texts.map((text) => ({ type: 'text' as const, text })),
  ];
  let replies: readonly Reply[] = [];
  for (const event of events) {
    const result = await runtime.turn('web:typed-visitor', event, ctx);
    expect(result.outcome).toBe('ok');
    replies = result.replies;
  }
  await runtime.close();
  await store.close();
  return replies;
}

/** The modal path: the messages the Slack user receives after submitting. */
async function submitted(values: Record<string, Record<string, unknown>>) {
  const t = await createSlackTestApp();
  await t.interact(viewSubmissionPayload('cv-diagnostic', values));
  await until(() => t.api.some((c) => c.method === 'chat.postMessage'));
  await t.channel.drain();
  return t.api
    .filter((c) => c.method === 'chat.postMessage')
    .map((c) => ({ text: c.args.text, blocks: c.args.blocks }));
}

describe('the modal and the typed dialogue give the same result', () => {
  it('all three roadmaps: shares, a choice and yes/no answers, a few « je ne sais pas »', async () => {
    const modal = await submitted({
      'individuel.connectes': state.number('90'),
      'individuel.reseaux-sociaux': state.number('70'),
      'individuel.fiche-google': state.number('65'),
      'collectif.stocks-informatises': state.number('30'),
      'collectif.structuration-association': state.select('moyenne'),
      'centre-ville.service-communication': state.radio('no'),
      'centre-ville.services-publics-en-ligne': state.radio('yes'),
      'centre-ville.praticiens-reservation': state.radio('unknown'),
    });
    const answers = ['90', '70', '65', 'les deux', '30', 'je ne sais pas', 'moyenne'];
    const cv = ['non', 'oui', 'je ne sais pas', 'je ne sais pas'];
    const typedPath = await typed('diagnostic-territoire', [...answers, ...cv]);
    expect(modal).toEqual(renderReplies(typedPath).map((m) => ({ ...m })));
    expect(modal.map((m) => m.text).join('\n')).toContain('Centre-ville : à renforcer');
  });

  it('an objective chosen in the modal is the objective the typed dialogue started from', async () => {
    const modal = await submitted({
      objective: state.select('o3'),
      'individuel.reseaux-sociaux': state.number('45'),
      'centre-ville.parkings-temps-reel': state.radio('no'),
    });
    const typedPath = await typed('objectif-3', [
      'diagnostic du territoire',
      'je ne sais pas',
      '45',
      'je ne sais pas',
      'centre-ville',
      'je ne sais pas',
      'je ne sais pas',
      'je ne sais pas',
      'non',
    ]);
    expect(modal).toEqual(renderReplies(typedPath).map((m) => ({ ...m })));
    expect(modal.map((m) => m.text).join('\n')).toContain('Centre-ville : à renforcer');
  });
});
