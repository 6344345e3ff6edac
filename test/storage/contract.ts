/**
 * The store contract: the same behaviour asked of every backend behind the storage port (memory,
 * SQLite, Redis), one suite per narrow port — conversations (with transcripts and the outbox),
 * observatory records, coordination (locks, de-duplication, memos). Each backend's test file
 * calls `runStoreContract` with a factory.
 */
import { runConversationsContract } from './contract-conversations.js';
import { runCoordinationContract } from './contract-coordination.js';
import type { StoreFactory } from './contract-harness.js';
import { runRecordsContract } from './contract-records.js';

export { sampleEnvelope } from './contract-conversations.js';
export type { StoreFactory } from './contract-harness.js';

/** Registers every port's contract suite for one backend. */
export function runStoreContract(name: string, factory: StoreFactory): void {
  runConversationsContract(name, factory);
  runRecordsContract(name, factory);
  runCoordinationContract(name, factory);
}
