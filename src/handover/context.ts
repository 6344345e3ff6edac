/**
 * What the town team reads about the person in a request, and what the person is shown before
 * agreeing to share it: public, town, activity, level or bilans, chosen objective (from the
 * conversation's machine context, read as the plan page reads it: the stored snapshot's context,
 * checked by the dialogue's own schema, then the plan's view of it), and the last exchanges
 * (from the transcript). Nothing else of the conversation leaves for Slack.
 */
import type { Catalog } from '../../catalog/schema.js';
import type { ClicContext } from '../../flows/types.js';
import { isClicContext } from '../dialogue/context.js';
import { planView } from '../plan/view.js';
import type { TranscriptEntry } from '../storage/envelope.js';
import type { ContextProvider, HandoverRequestView } from './service.js';

const AUDIENCES: Readonly<Record<string, string>> = {
  commercant: 'Commerçant',
  collectivite: 'Collectivité',
  visiteur: 'Visiteur',
};

/** How many entries of the transcript (the person's and the assistant's) the request shows. */
export const EXCHANGES_SHOWN = 6;

/** The request's fields (label, value) from a conversation's machine context. */
export function contextFields(catalog: Catalog, ctx: ClicContext): [string, string][] {
  const fields: [string, string][] = [];
  if (ctx.audience) fields.push(['Public', AUDIENCES[ctx.audience] ?? ctx.audience]);
  const sector = ctx.sector ? catalog.guide.sectors.find((s) => s.id === ctx.sector) : undefined;
  if (sector) fields.push(['Activité', sector.label]);
  const plan = planView(catalog, ctx, 0);
  if (plan.kind === 'merchant') fields.push(['Niveau numérique', plan.levelLabel]);
  if (plan.kind === 'territory' && plan.bilans.length > 0) {
    fields.push(['Bilans', plan.bilans.map((b) => `${b.title} : ${b.statusLabel}`).join(' ; ')]);
  }
  const objective = ctx.objective
    ? catalog.objectives.find((o) => o.id === ctx.objective)
    : undefined;
  if (objective) fields.push(['Objectif choisi', objective.menuLabel]);
  return fields;
}

/** The machine context inside stored conversation data, when the dialogue's schema accepts it. */
export function storedContext(data: unknown): ClicContext | undefined {
  const snapshot = (data as { snapshot?: unknown } | null | undefined)?.snapshot;
  const context = (snapshot as { context?: unknown } | null | undefined)?.context;
  return isClicContext(context) ? context : undefined;
}

/** The last exchanges of a transcript, oldest first, as plain text. */
export function lastExchanges(
  entries: readonly TranscriptEntry[],
): HandoverRequestView['exchanges'] {
  const exchanges: { from: 'person' | 'assistant'; text: string }[] = [];
  for (const e of entries.slice(-EXCHANGES_SHOWN)) {
    const text = e.from === 'user' ? e.text : (e.replies ?? []).map((r) => r.text).join(' ');
    if (text) exchanges.push({ from: e.from === 'user' ? 'person' : 'assistant', text });
  }
  return exchanges;
}

/** The context provider over the conversation's stored data and its transcript. */
export function createContextProvider(options: {
  readonly catalog: Catalog;
  /** The conversation's stored data (its envelope), or undefined. */
  readonly conversation: (key: string) => Promise<unknown>;
  readonly transcript: (key: string) => Promise<readonly TranscriptEntry[] | undefined>;
}): ContextProvider {
  return async (key) => {
    const [data, entries] = await Promise.all([options.conversation(key), options.transcript(key)]);
    const ctx = storedContext(data);
    const stored = (data as { town?: unknown } | undefined)?.town;
    const town = ctx?.town ?? (typeof stored === 'string' ? stored : undefined);
    const audience = ctx?.audience ? AUDIENCES[ctx.audience] : undefined;
    return {
      ...(town ? { town } : {}),
      ...(audience ? { audience } : {}),
      fields: ctx ? contextFields(options.catalog, ctx) : [],
      exchanges: lastExchanges(entries ?? []),
    };
  };
}
