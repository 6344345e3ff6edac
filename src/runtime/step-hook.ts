/**
 * A dialogue engine with one more thing done after each step, for features that add to the
 * replies without the flows knowing them (the plan link, the offer of a person). Also reads the
 * prompt a persisted snapshot holds, without depending on the flows' types.
 */
import type { DialogueEngine, StepResult } from './types.js';

/** The prompt of a stored snapshot, as far as a wrapper needs it. */
export interface PromptLike {
  readonly kind?: unknown;
  readonly question?: unknown;
  readonly flow?: unknown;
}

/** The prompt in a snapshot's context, or undefined. */
export function promptOf(snapshot: unknown): PromptLike | undefined {
  if (!snapshot || typeof snapshot !== 'object') return undefined;
  const context = (snapshot as { context?: unknown }).context;
  if (!context || typeof context !== 'object') return undefined;
  const prompt = (context as { prompt?: unknown }).prompt;
  return prompt && typeof prompt === 'object' ? (prompt as PromptLike) : undefined;
}

/** `engine`, with `after(step, snapshotBefore)` applied to every step's result. */
export function afterEachStep<E extends DialogueEngine>(
  engine: E,
  after: (step: StepResult, before: unknown) => StepResult,
): E {
  return {
    ...engine,
    flowId: engine.flowId,
    version: engine.version,
    start: (event, ctx) => engine.start(event, ctx),
    step: (snapshot, event, ctx) => after(engine.step(snapshot, event, ctx), snapshot),
  };
}
