/**
 * The longest territory bilan on Slack (issue 20, point 6): every message's `text` fallback stays
 * within 3 000 characters, and the blocks still carry the whole result — the summary and every
 * part its buttons open (each roadmap with its steps, what to launch, funding). The bilan is the
 * dialogue's own, for the answers that make it longest: each roadmap's answers are tried at
 * their extremes (0 or 100 %, faible or forte, oui or non, « je ne sais pas »), the longest of
 * each kept, then all three together.
 */
import { describe, expect, it } from 'vitest';
import { renderReplies } from '../../adapters/slack/render.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import type { Reply } from '../../src/reply/model.js';
import type { TurnContext } from '../../src/runtime/types.js';
import { assertBlockKitMessage } from './block-kit-limits.js';
import { shownText } from './helpers.js';

const engine = createDialogueEngine();
const ctx: TurnContext = { channel: 'slack', userRef: 'T1:U1', town: 'Dole', now: new Date() };

const SHARE = ['0', '100', 'je ne sais pas'];
const STRUCTURE = ['faible', 'forte', 'je ne sais pas'];
const YES_NO = ['oui', 'non', 'je ne sais pas'];

/** Every combination of one value from each list. */
function combos(lists: readonly (readonly string[])[]): string[][] {
  return lists.reduce<string[][]>(
    (acc, list) => acc.flatMap((head) => list.map((v) => [...head, v])),
    [[]],
  );
}

/** The territory result for these typed answers (individuel, « les deux », the rest, region). */
function finalStep(individuel: string[], collectif: string[], centreVille: string[]) {
  let step = engine.start({ type: 'start', entry: 'diagnostic-territoire' }, ctx);
  const texts = [...individuel, 'les deux', ...collectif, ...centreVille, 'Grand Est'];
  for (const text of texts) step = engine.step(step.snapshot, { type: 'text', text }, ctx);
  return step;
}

/** The summary, then every part its buttons open (each roadmap, what to launch, funding). */
function result(individuel: string[], collectif: string[], centreVille: string[]): Reply[] {
  const step = finalStep(individuel, collectif, centreVille);
  const views = step.replies
    .flatMap((r) => r.buttons ?? [])
    .filter((b) => b.action.startsWith('view:'))
    .map((b) => engine.step(step.snapshot, { type: 'action', action: b.action }, ctx).replies);
  return [...step.replies, ...views.flat()];
}

const size = (replies: readonly Reply[]) => replies.reduce((n, r) => n + r.text.length, 0);

/** The combination of `lists` that makes the result longest, the other roadmaps fixed. */
function longest(
  lists: readonly (readonly string[])[],
  build: (answers: string[]) => Reply[],
): string[] {
  let best: { answers: string[]; size: number } | undefined;
  for (const answers of combos(lists)) {
    const n = size(build(answers));
    if (!best || n > best.size) best = { answers, size: n };
  }
  if (!best) throw new Error('no combination');
  return best.answers;
}

/** Slack mrkdwn back to plain words, to look for the neutral text in what the blocks show. */
function words(text: string): string[] {
  return text
    .replace(/<[^|>]+\|([^>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[*_]/g, ' ')
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
}

describe('the longest territory bilan on Slack', () => {
  it('keeps every text fallback within 3 000 characters, and every word in the blocks', () => {
    const unknown = (n: number) => Array<string>(n).fill('je ne sais pas');
    const individuel = longest([SHARE, SHARE, SHARE], (a) => result(a, unknown(3), unknown(4)));
    const collectif = longest([SHARE, SHARE, STRUCTURE], (a) => result(individuel, a, unknown(4)));
    const centreVille = longest([YES_NO, YES_NO, YES_NO, YES_NO], (a) =>
      result(individuel, collectif, a),
    );
    const replies = result(individuel, collectif, centreVille);
    const all = replies.map((r) => r.text).join('\n');
    // The summary and the parts it opens: the three bilans and each roadmap's steps.
    for (const part of ['Commerçant individuel', 'Collectif', 'Centre-ville', 'Prochaine étape']) {
      expect(all).toContain(part);
    }

    const messages = renderReplies(replies);
    for (const m of messages) {
      assertBlockKitMessage(m);
      expect([...m.text].length).toBeLessThanOrEqual(3000);
    }
    const shown = new Set(
      messages.flatMap((m) => words(shownText(m as unknown as Record<string, unknown>))),
    );
    const missing = words(all).filter((w) => !shown.has(w));
    expect(missing).toEqual([]);
  });
});
