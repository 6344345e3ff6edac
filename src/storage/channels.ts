/**
 * The channels a stored conversation may belong to. Defined here, at the bottom of the stack, so
 * that the storage port needs nothing from the runtime: the runtime's `Channel` is this one.
 */

/** Every channel, in a fixed order (the envelope schema accepts exactly these). */
export const CHANNELS = ['web', 'telegram', 'slack', 'console'] as const;

/** Channels that talk to the runtime. */
export type Channel = (typeof CHANNELS)[number];
