/**
 * The plan behind a link: opens the token, reads the conversation through the store's public
 * port, checks it is the very conversation the link was made for (same creation time, not
 * expired, not erased), and builds the view from its machine context. Nothing is stored for the
 * link itself, and nothing runs on an ordinary turn: the page is built only on `GET /plan/:token`.
 */
import { getCatalog } from '../../catalog/load.js';
import type { Catalog } from '../../catalog/schema.js';
import type { ClicContext } from '../../flows/types.js';
import { isClicContext } from '../dialogue/context.js';
import { type Envelope, parseEnvelope } from '../storage/envelope.js';
import type { Store } from '../storage/types.js';
import { type PlanSummary, summarizePlan } from './summary.js';
import { createPlanSealer, type PlanRef, type PlanSealer } from './token.js';
import { type PlanView, planView } from './view.js';

/** Where the page lives under PUBLIC_URL. */
export const PLAN_PATH = '/plan';

/** What {@link createPlanService} needs. */
export interface PlanServiceOptions {
  readonly store: Pick<Store, 'conversations'>;
  /** The server secret the tokens are sealed with (the observatory salt), ≥ 16 bytes. */
  readonly secret: Buffer | string;
  /** PUBLIC_URL without a trailing slash; without it, no link can be given. */
  readonly publicUrl?: string;
  readonly catalog?: Catalog;
  readonly now?: () => number;
}

/** Links and pages of the plans. */
export interface PlanService {
  /** The page's URL for a conversation, or undefined without PUBLIC_URL. */
  urlFor(ref: PlanRef): string | undefined;
  /** The token inside one of our plan URLs, or undefined. */
  tokenOf(url: string): string | undefined;
  /** The conversation's key and creation time as stored, when it exists. */
  refOf(key: string): Promise<PlanRef | undefined>;
  /** The plan a token names, or undefined (unknown, altered, erased, expired, restarted). */
  load(token: string): Promise<PlanView | undefined>;
  /** The summary of the plan behind one of our URLs (undefined for any other URL). */
  summary(url: string): Promise<PlanSummary | undefined>;
}

/** The machine context inside a stored snapshot, when it is one we can read. */
function contextOf(envelope: Envelope): ClicContext | undefined {
  const snapshot = envelope.snapshot;
  if (!snapshot || typeof snapshot !== 'object') return undefined;
  const context = (snapshot as { context?: unknown }).context;
  return isClicContext(context) ? context : undefined;
}

/** Creates the plan service over the store. */
export function createPlanService(options: PlanServiceOptions): PlanService {
  const sealer: PlanSealer = createPlanSealer(options.secret);
  const catalog = options.catalog ?? getCatalog();
  const now = options.now ?? Date.now;
  const base = options.publicUrl?.replace(/\/+$/, '');
  const prefix = base ? `${base}${PLAN_PATH}/` : undefined;

  async function envelopeOf(key: string): Promise<Envelope | undefined> {
    const stored = await options.store.conversations.get(key);
    if (!stored) return undefined;
    if (stored.trusted) return stored.data as Envelope;
    const parsed = parseEnvelope(stored.data, key);
    return parsed.ok ? parsed.envelope : undefined;
  }

  const service: PlanService = {
    urlFor(ref) {
      return prefix ? `${prefix}${sealer.seal(ref)}` : undefined;
    },
    tokenOf(url) {
      if (!prefix || !url.startsWith(prefix)) return undefined;
      const token = url.slice(prefix.length);
      return /^[A-Za-z0-9_-]+$/.test(token) ? token : undefined;
    },
    async refOf(key) {
      const envelope = await envelopeOf(key);
      return envelope ? { key, createdAt: envelope.createdAt } : undefined;
    },
    async load(token) {
      const ref = sealer.open(token);
      if (!ref) return undefined;
      const envelope = await envelopeOf(ref.key);
      if (!envelope || envelope.createdAt !== ref.createdAt || envelope.expiresAt <= now())
        return undefined;
      const context = contextOf(envelope);
      return context ? planView(catalog, context, envelope.updatedAt) : undefined;
    },
    async summary(url) {
      const token = service.tokenOf(url);
      const view = token ? await service.load(token) : undefined;
      return view ? summarizePlan(view, url) : undefined;
    },
  };
  return service;
}
