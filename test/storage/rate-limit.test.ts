import { createMemoryRateLimiter } from '../../src/storage/rate-limit.js';
import { runRateLimiterContract } from './contract-rate-limit.js';

runRateLimiterContract('memory', (options) => createMemoryRateLimiter(options));
