/**
 * The observatory records port (SPEC §8) and the record as stored. A record is what one
 * consenting merchant contributes to their town's figures — town, sector, the four answers,
 * level, month — keyed by a salted hash of their channel identity, never the identity itself.
 * It lives with the storage ports so that the stores implement it without importing the
 * observatory (which imports this); stored rows are read back as untrusted input through
 * {@link parseRecord}.
 */
import { z } from 'zod';
import { MATURITY_LEVELS } from '../../catalog/schema.js';

// === The record

/** A yes / no / « je ne sais pas » answer to one of the four prerequisite questions. */
export const RecordAnswer = z.enum(['yes', 'no', 'unknown']);
export type RecordAnswer = z.infer<typeof RecordAnswer>;

/** Longest town name kept (a town is free text typed by the merchant). */
export const MAX_TOWN_LENGTH = 80;

/** The record as stored: nothing in it names or reaches the merchant without the salt. */
export const ObservatoryRecordSchema = z.strictObject({
  /** HMAC-SHA256 of `{channel}:{userRef}` with the observatory salt, lower-case hex. */
  identity: z.string().regex(/^[0-9a-f]{64}$/),
  /** The town as the merchant gave it (displayed as is). */
  town: z.string().min(1).max(MAX_TOWN_LENGTH),
  /** The town folded for look-ups (see {@link townKey}). */
  townKey: z
    .string()
    .min(1)
    .max(MAX_TOWN_LENGTH * 2),
  /** One of the guide's seven sector ids, or null when not given. */
  sector: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .nullable(),
  answers: z.strictObject({
    P1: RecordAnswer,
    P2: RecordAnswer,
    P3: RecordAnswer,
    P4: RecordAnswer,
  }),
  level: z.enum(MATURITY_LEVELS),
  /** `YYYY-MM`: the month of the diagnostic, no finer. */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
});

/** One merchant's anonymous contribution to their town's observatory. */
export type ObservatoryRecord = z.infer<typeof ObservatoryRecordSchema>;

/** Reads a stored record back as untrusted data: the record, or undefined when it is not one. */
export function parseRecord(value: unknown): ObservatoryRecord | undefined {
  let data = value;
  if (typeof value === 'string') {
    try {
      data = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  const result = ObservatoryRecordSchema.safeParse(data);
  return result.success ? result.data : undefined;
}

// === Towns

/**
 * The look-up key of a town: case, accents, apostrophes, hyphens and spaces folded, so that
 * « Saint-Étienne », « saint etienne » and « SAINT ÉTIENNE » count in the same observatory.
 */
export function townKey(town: string): string {
  return town
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/giu, 'oe')
    .replace(/æ/giu, 'ae')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_TOWN_LENGTH * 2);
}

// === The port

/**
 * Where records live, the storage port `Store.records`. One record per identity and
 * town: `put` replaces the earlier one, so a repeated diagnostic is never counted twice.
 */
export interface RecordStore {
  /** Inserts or replaces the record of `(record.identity, record.townKey)`. */
  put(record: ObservatoryRecord): Promise<void>;
  /** « Oublier mes données »: removes every record of this identity; returns how many went. */
  deleteByIdentity(identity: string): Promise<number>;
  /** The valid records of a town (any spelling that folds to the same {@link townKey}). */
  listByTown(town: string): Promise<ObservatoryRecord[]>;
  /** Retention: removes the records of months before `month` (`YYYY-MM`); returns how many. */
  purgeBefore(month: string): Promise<number>;
}
