import { createMemoryStore } from '../../src/storage/memory.js';
import { runStoreContract } from './contract.js';

runStoreContract('memory', () => createMemoryStore());
