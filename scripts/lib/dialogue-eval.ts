/**
 * Judges the dialogue the way `scripts/data/README.md` says: each message is typed as the first
 * thing of a fresh conversation (after the welcome and its « Vous êtes… »), or right after one of
 * the three audience buttons, through the real engine and flows; the replies of that one turn
 * are judged against what was expected (a fiche id or `intent:…`). Shared by `npm run eval` and
 * the dialogue tests, so both count the same way.
 */
import { readFileSync } from 'node:fs';
import type { Catalog } from '../../catalog/schema.js';
import type { ClicDialogueEngine } from '../../src/dialogue/engine.js';
import type { Reply } from '../../src/reply/model.js';
import type { InboundEvent, StepResult, TurnContext } from '../../src/runtime/types.js';

/** One message and what the reply must do: a fiche id or `intent:<kind>`. */
export interface DialogueRow {
  readonly message: string;
  readonly expected: string;
}

/** Where the message is typed: first thing, or after an audience button. */
export type Way = 'first' | 'aud:commercant' | 'aud:collectivite' | 'aud:visiteur';
export const WAYS: readonly Way[] = ['first', 'aud:commercant', 'aud:collectivite', 'aud:visiteur'];

/** Rows of a `message<TAB>expected` file (a header line naming the columns is skipped). */
export function readRows(path: string): DialogueRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(
      (cols): cols is [string, string] =>
        cols.length >= 2 && cols[0] !== 'message' && cols[0] !== 'question',
    )
    .map(([message, expected]) => ({ message: message.trim(), expected: expected.trim() }))
    .filter((r) => r.message && r.expected);
}

/** The category a row is counted in: `fiche` or the intent's name. */
export function categoryOf(expected: string): string {
  if (expected.startsWith('intent:')) return expected.slice('intent:'.length);
  if (/^o\d$/.test(expected)) return 'objective';
  return expected === 'none' ? 'none' : 'fiche';
}

const textOf = (replies: readonly Reply[]) => replies.map((r) => r.text).join('\n');

/**
 * The fiches a turn names, in order, once each: the fiche cards (by title) and the buttons that
 * open a fiche.
 */
export function namedFiches(catalog: Catalog, replies: readonly Reply[]): string[] {
  const byTitle = new Map(catalog.fiches.map((f) => [f.title, f.id]));
  const out: string[] = [];
  const add = (id: string | undefined) => {
    if (id && !out.includes(id)) out.push(id);
  };
  for (const r of replies) {
    for (const c of r.cards ?? []) {
      add(byTitle.get(c.title));
      for (const b of c.buttons ?? []) add(/^(?:fiche|det):(.+)$/.exec(b.action)?.[1]);
    }
    for (const b of r.buttons ?? []) add(/^fiche:(.+)$/.exec(b.action)?.[1]);
  }
  return out;
}

/** What the judge reads of one turn: its replies, and the question the person is now asked. */
export interface Turn {
  readonly replies: readonly Reply[];
  /** The question now on screen (`sector`, `P1`, `connectes`, `region`…), if any. */
  readonly question?: string;
  /** True when the reply asks which diagnostic (commerce or territoire). */
  readonly asksWhichDiag?: boolean;
  /** The objective page now on screen, if any. */
  readonly objective?: string;
}

const FIRST_DIAG_QUESTIONS = new Set(['sector', 'P1', 'connectes', 'prefill']);
const FIRST_TERRITORY_QUESTIONS = new Set(['connectes', 'prefill']);

/** Whether a turn does what `expected` asks (the table of `scripts/data/README.md`). */
export function judge(catalog: Catalog, turn: Turn, expected: string): boolean {
  const text = textOf(turn.replies);
  const fiches = namedFiches(catalog, turn.replies);
  const notUnderstood = /pas (?:bien )?compris/i.test(text);
  switch (expected) {
    case 'intent:contact':
      return (
        /@caissedesdepots\.fr/.test(text) ||
        turn.question === 'region' ||
        /mettre en (?:contact|relation)/i.test(text)
      );
    case 'intent:funding':
      return /financement/i.test(text) && /France Relance/.test(text) && /\d+ millions/.test(text);
    case 'intent:diagnostic':
      return (
        (turn.question !== undefined && FIRST_DIAG_QUESTIONS.has(turn.question)) ||
        turn.asksWhichDiag === true
      );
    case 'intent:roadmap':
      return (
        (turn.question !== undefined && FIRST_TERRITORY_QUESTIONS.has(turn.question)) ||
        /Feuille de route —/.test(text)
      );
    case 'intent:social':
      return text.length > 0 && text.length <= 400 && fiches.length === 0 && !notUnderstood;
    case 'intent:offtopic':
      return (
        /sort de ce que je sais faire/i.test(text) && fiches.length === 0 && /je peux/i.test(text)
      );
    case 'none':
      // Text the bot must not answer with a solution (our held-out sets).
      return fiches.length === 0;
    default: {
      if (/^o\d$/.test(expected)) {
        // An objective (our held-out sets): its page, or a first fiche of that objective.
        const first = catalog.fiches.find((f) => f.id === fiches[0]);
        return turn.objective === expected || first?.objective === expected;
      }
      return fiches.length <= 3 && fiches.slice(0, 3).includes(expected);
    }
  }
}

/** Runs one message in a fresh conversation, typed first or after an audience button. */
export function playTurn(
  engine: ClicDialogueEngine,
  message: string,
  way: Way,
  ctx: TurnContext,
): Turn {
  let last: StepResult = engine.start({ type: 'start' }, ctx);
  if (way !== 'first') {
    const action: InboundEvent = { type: 'action', action: way };
    last = engine.step(last.snapshot, action, ctx);
  }
  const result = engine.step(last.snapshot, { type: 'text', text: message }, ctx);
  const prompt = engine.inspect(result.snapshot)?.context.prompt;
  const buttons = result.replies.flatMap((r) => r.buttons ?? []).map((b) => b.action);
  return {
    replies: result.replies,
    ...(prompt?.kind === 'question' ? { question: prompt.question } : {}),
    ...(prompt?.kind === 'objective' ? { objective: prompt.objective } : {}),
    asksWhichDiag:
      prompt?.kind !== 'question' &&
      buttons.includes('diag:c') &&
      buttons.includes('diag:t') &&
      /quel diagnostic/i.test(textOf(result.replies)),
  };
}

/** Accuracy per category and overall, with the misses. */
export interface Score {
  readonly total: number;
  readonly right: number;
  readonly byCategory: Record<string, { right: number; total: number }>;
  readonly misses: { row: DialogueRow; got: string }[];
}

/** A short account of what a turn said, for a miss. */
export function describeTurn(catalog: Catalog, turn: Turn): string {
  const fiches = namedFiches(catalog, turn.replies);
  const first = textOf(turn.replies).replace(/\s+/g, ' ').slice(0, 110);
  return `${turn.question ? `[question ${turn.question}] ` : ''}${fiches.length ? `fiches ${fiches.join(', ')} — ` : ''}${first}`;
}

/** Plays every row one way and counts what is right. */
export function scoreDialogue(
  catalog: Catalog,
  engine: ClicDialogueEngine,
  rows: readonly DialogueRow[],
  way: Way,
  ctx: TurnContext,
): Score {
  const byCategory: Record<string, { right: number; total: number }> = {};
  const misses: { row: DialogueRow; got: string }[] = [];
  let right = 0;
  for (const row of rows) {
    const turn = playTurn(engine, row.message, way, ctx);
    const ok = judge(catalog, turn, row.expected);
    const cat = categoryOf(row.expected);
    byCategory[cat] ??= { right: 0, total: 0 };
    byCategory[cat].total++;
    if (ok) {
      right++;
      byCategory[cat].right++;
    } else misses.push({ row, got: describeTurn(catalog, turn) });
  }
  return { total: rows.length, right, byCategory, misses };
}
