/**
 * The observatory's records (SPEC §8). The record, its schema, the town key and the storage port
 * `RecordStore` are defined with the storage ports (src/storage/records.ts) and re-exported
 * here; what only the observatory needs — the prerequisites' order, a town name tidied for
 * display — lives here.
 */
import { MerchantPrereq } from '../../catalog/schema.js';

export {
  MAX_TOWN_LENGTH,
  type ObservatoryRecord,
  ObservatoryRecordSchema,
  parseRecord,
  RecordAnswer,
  type RecordStore,
  townKey,
} from '../storage/records.js';

import { MAX_TOWN_LENGTH } from '../storage/records.js';

/** The prerequisite codes in the guide's order (re-exported for the aggregation). */
export const PREREQS: readonly MerchantPrereq[] = MerchantPrereq.options;

/** A town name as typed, tidied for display and storage (spaces collapsed, length capped). */
export function cleanTownName(town: string): string {
  return town.replace(/\s+/gu, ' ').trim().slice(0, MAX_TOWN_LENGTH).trim();
}
