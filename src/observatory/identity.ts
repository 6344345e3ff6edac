/**
 * Who contributed, without saying who: a record is keyed by HMAC-SHA256(salt, `{channel}:{userRef}`),
 * so that a repeated diagnostic replaces the earlier record and « oublier mes données » finds it,
 * while the stored key cannot be turned back into a chat id — nor recomputed from a guessed one
 * — without the salt. The salt comes from OBSERVATORY_SALT, or is generated once (32 random
 * bytes) into `DATA_DIR/observatory-salt` (mode 0600) and reused on every start.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '../runtime/types.js';

/** File name of the generated salt inside the data directory. */
export const SALT_FILE_NAME = 'observatory-salt';

/** Length in bytes of a generated salt. */
export const SALT_BYTES = 32;

/** The salted hash of a channel identity: 64 lower-case hex characters. */
export function identityHash(salt: Buffer, channel: Channel, userRef: string): string {
  return createHmac('sha256', salt).update(`${channel}:${userRef}`, 'utf8').digest('hex');
}

/** Where the salt came from (for one log line at start-up; never the salt itself). */
export type SaltSource = 'config' | 'file' | 'generated';

/** Options of {@link loadSalt}. */
export interface LoadSaltOptions {
  /** OBSERVATORY_SALT, when set: used as is (its UTF-8 bytes). */
  readonly configured?: string;
  /** DATA_DIR: where the generated salt is kept. */
  readonly dataDir: string;
}

/** A salt file that exists but cannot be used: refusing beats silently re-keying every record. */
export class SaltFileError extends Error {
  readonly code = 'OBSERVATORY_SALT_FILE';
  constructor(file: string) {
    super(
      `${file} does not hold a ${SALT_BYTES}-byte hex salt; restore it, or set OBSERVATORY_SALT`,
    );
    this.name = 'SaltFileError';
  }
}

function readSaltFile(file: string): Buffer {
  const text = readFileSync(file, 'utf8').trim();
  if (!new RegExp(`^[0-9a-f]{${SALT_BYTES * 2}}$`).test(text)) throw new SaltFileError(file);
  return Buffer.from(text, 'hex');
}

/**
 * The observatory salt: the configured one, else the one kept in the data directory, else a new
 * one written there with `wx` (two processes starting together end up with the same salt: the
 * second one reads what the first wrote).
 */
export function loadSalt(options: LoadSaltOptions): { salt: Buffer; source: SaltSource } {
  if (options.configured !== undefined && options.configured !== '') {
    return { salt: Buffer.from(options.configured, 'utf8'), source: 'config' };
  }
  const file = join(options.dataDir, SALT_FILE_NAME);
  try {
    return { salt: readSaltFile(file), source: 'file' };
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
  mkdirSync(options.dataDir, { recursive: true });
  const salt = randomBytes(SALT_BYTES);
  try {
    writeFileSync(file, `${salt.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600); // in case a umask widened it
    return { salt, source: 'generated' };
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    return { salt: readSaltFile(file), source: 'file' };
  }
}
