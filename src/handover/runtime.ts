/**
 * The handover in front of the dialogue: a {@link Runtime} that asks the handover service first
 * and lets the wrapped runtime (and so the dialogue) answer only what the handover does not take.
 * Channels keep calling `turn` as before; while a request is open, the person's messages go to
 * the town team and the assistant stays silent, except for its global words.
 */
import type { Runtime } from '../runtime/runtime.js';
import type { HandoverService } from './service.js';

/** Wraps `runtime` so that handover words, buttons and open requests come first. */
export function withHandover(runtime: Runtime, handover: HandoverService): Runtime {
  return {
    ...runtime,
    async turn(key, event, ctx, options = {}) {
      const relayId =
        options.outbox?.id ??
        (options.idempotencyKey ? `${key}:${options.idempotencyKey}` : undefined);
      let taken: Awaited<ReturnType<HandoverService['intercept']>>;
      try {
        taken = await handover.intercept(key, event, ctx, relayId);
      } catch {
        // The store or Slack failed before anything was decided: let the caller retry.
        return { replies: [], outcome: 'error', code: 'load-failed', retryable: true };
      }
      if (!taken) return runtime.turn(key, event, ctx, options);
      // The widget posts only to conversations that exist: none, none of this either.
      if (options.mustExist && (await runtime.transcript(key)) === undefined) {
        return { replies: [], outcome: 'missing' };
      }
      return { replies: [...taken.replies], outcome: taken.duplicate ? 'replayed' : 'ok' };
    },
  };
}
