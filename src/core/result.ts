/**
 * Typed results: the core never throws on bad input, it returns one of these instead so that
 * every channel can turn the error into a polite French message.
 */

/** Error codes the core can return; `message` is French and can be shown to the user. */
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

/** An error returned by the core (never thrown). */
export interface CoreError {
  code: CoreErrorCode | (string & {});
  message: string;
}

/** Either a value or a typed error. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CoreError };

/** Wraps a value. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps an error. */
export function err<T = never>(code: CoreErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
