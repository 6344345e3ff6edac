/**
 * Slack request signatures (PLATFORMS.md, Slack): `X-Slack-Signature` must equal `v0=` + hex
 * HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), compared in constant time, and the
 * timestamp must be within five minutes of our clock (either way) so that a captured request
 * cannot be replayed later. Pure: no I/O, the clock is injected.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Largest distance between Slack's timestamp and our clock, in seconds (5 min). */
export const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

/** Why a request was refused; logged (never the signature itself). */
export type SignatureProblem =
  | 'missing-headers'
  | 'bad-timestamp'
  | 'stale-timestamp'
  | 'bad-signature';

/** The verdict of {@link verifySlackSignature}. */
export type SignatureVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly problem: SignatureProblem };

/** What a signature check needs from a request. */
export interface SignedRequest {
  readonly signingSecret: string;
  readonly rawBody: string;
  readonly timestamp: string | string[] | undefined;
  readonly signature: string | string[] | undefined;
  /** Epoch milliseconds; `Date.now()` by default. */
  readonly nowMs?: number;
}

/** The `v0=…` signature Slack would send for this body at this timestamp (tests use it too). */
export function signSlackRequest(
  signingSecret: string,
  timestamp: string,
  rawBody: string,
): string {
  const mac = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`, 'utf8');
  return `v0=${mac.digest('hex')}`;
}

/**
 * Checks a request exactly as Slack documents it. Any missing or repeated header, a timestamp
 * that is not a whole number of seconds or is more than 5 minutes away, or a signature that
 * differs refuses the request.
 */
export function verifySlackSignature(request: SignedRequest): SignatureVerdict {
  const { timestamp, signature } = request;
  if (typeof timestamp !== 'string' || typeof signature !== 'string') {
    return { ok: false, problem: 'missing-headers' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, problem: 'bad-timestamp' };
  const nowSeconds = Math.floor((request.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SIGNATURE_AGE_SECONDS) {
    return { ok: false, problem: 'stale-timestamp' };
  }
  const expected = Buffer.from(signSlackRequest(request.signingSecret, timestamp, request.rawBody));
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; a length mismatch is already a refusal.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, problem: 'bad-signature' };
  }
  return { ok: true };
}
