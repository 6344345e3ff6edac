/**
 * The contract between the conversation runtime (src/runtime) and the dialogues (flows/).
 * The runtime knows keys, envelopes, locks and replies; the dialogue engine knows XState.
 */
import type { Reply } from '../reply/model.js';
import type { Channel } from '../storage/channels.js';

/** Channels that talk to the runtime (defined with the storage port, which needs the list). */
export type { Channel };

/** What a user did, already translated from the platform by an adapter. */
export type InboundEvent =
  | { readonly type: 'start'; readonly entry?: string; readonly town?: string }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'action'; readonly action: string };

/** Who is talking, as far as the dialogue needs to know (never logged). */
export interface TurnContext {
  readonly channel: Channel;
  /** Stable per-user reference on the channel (chat id, Slack user, web conversation id). */
  readonly userRef: string;
  readonly town?: string;
  readonly now: Date;
  /**
   * Set by the runtime when the event follows, in the same turn, the start of a new conversation:
   * its welcome is already in the replies.
   */
  readonly afterStart?: boolean;
}

/** Side effects a dialogue asks the runtime to perform after a turn (kept out of machines). */
export type Effect =
  | { readonly type: 'forget-user' }
  | { readonly type: 'observatory-record'; readonly record: Readonly<Record<string, unknown>> };

export interface StepResult {
  readonly snapshot: unknown;
  readonly replies: readonly Reply[];
  readonly effects?: readonly Effect[];
  /**
   * What kind of turn it was, for a wrapper that reacts to it without reading the replies:
   * `false` when the dialogue did not understand the message (its « pas compris »); absent
   * otherwise. Wrappers that rebuild a result keep it (`{ ...step, replies }`).
   */
  readonly understood?: false;
}

/** A versioned dialogue: pure functions from (snapshot, event) to (snapshot, replies). */
export interface DialogueEngine {
  readonly flowId: string;
  /** Bumped whenever a stored snapshot could no longer be restored safely. */
  readonly version: number;
  start(event: InboundEvent & { type: 'start' }, ctx: TurnContext): StepResult;
  step(snapshot: unknown, event: InboundEvent, ctx: TurnContext): StepResult;
}
