/**
 * Typed results: the core never throws on bad input, it returns one of these instead so that
 * every channel can turn the error into a polite French message (`src/dialogue/text/errors.ts`
 * words the `detail`). A bug still throws.
 */
import type { RoadmapId } from '../../catalog/schema.js';

/** Error codes the core can return. */
export type CoreErrorCode =
  | 'INVALID_INPUT'
  | 'UNKNOWN_ROADMAP'
  | 'UNKNOWN_QUESTION'
  | 'SHARE_OUT_OF_RANGE'
  | 'INVALID_ANSWER'
  | 'INVALID_CHOICE'
  | 'UNKNOWN_OBJECTIVE'
  | 'UNKNOWN_AUDIENCE'
  | 'CATALOG_INCOMPLETE'
  | 'INTERNAL';

/** A value received where another was expected, kept to be quoted back (strings cut at 40). */
export type Received = number | string | { readonly type: string };

/** What was wrong, as data: the presenters word it. */
export type CoreErrorDetail =
  | {
      readonly what: 'share-range' | 'share' | 'yesno' | 'choice';
      readonly roadmap: RoadmapId;
      readonly question: string;
      readonly got: Received;
    }
  | { readonly what: 'territory-answers' | 'request' | 'merchant-profile' | 'territory' }
  | { readonly what: 'roadmap-answers' | 'missing-roadmap'; readonly roadmap: RoadmapId }
  | {
      readonly what: 'unknown-roadmap' | 'unknown-objective' | 'unknown-audience';
      readonly got: string;
    }
  | { readonly what: 'unknown-question'; readonly roadmap: RoadmapId; readonly got: string };

/** An error returned by the core (never thrown); `message` is for developers and logs. */
export interface CoreError {
  code: CoreErrorCode | (string & {});
  message: string;
  detail: CoreErrorDetail;
}

/** Either a value or a typed error. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CoreError };

/** Wraps a value. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps an error. */
export function err<T = never>(
  code: CoreErrorCode,
  detail: CoreErrorDetail,
  message: string = detail.what,
): Result<T> {
  return { ok: false, error: { code, message, detail } };
}

/** What was received, as an error keeps it. */
export function received(v: unknown): Received {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.slice(0, 40);
  return { type: typeof v };
}
