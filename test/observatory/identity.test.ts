/**
 * Who contributed, without saying who (SPEC §8 « keyed by a salted hash »): HMAC-SHA256 of
 * `{channel}:{userRef}`, the salt given by OBSERVATORY_SALT or generated once into
 * DATA_DIR/observatory-salt (32 random bytes, mode 0600) and reused.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  identityHash,
  loadSalt,
  SALT_FILE_NAME,
  SaltFileError,
} from '../../src/observatory/index.js';

const root = mkdtempSync(join(tmpdir(), 'clic-salt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `data-${++n}`);

describe('the salt', () => {
  it('is generated once (32 random bytes, owner-only file) and reused on the next start', () => {
    const dataDir = freshDir();
    const first = loadSalt({ dataDir });
    expect(first.source).toBe('generated');
    expect(first.salt).toHaveLength(32);
    const file = join(dataDir, SALT_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadSalt({ dataDir });
    expect(second.source).toBe('file');
    expect(second.salt.equals(first.salt)).toBe(true);
    // Another data directory gets another salt.
    expect(loadSalt({ dataDir: freshDir() }).salt.equals(first.salt)).toBe(false);
  });

  it('OBSERVATORY_SALT wins and writes nothing', () => {
    const dataDir = freshDir();
    const { salt, source } = loadSalt({ dataDir, configured: 'a-long-configured-salt' });
    expect(source).toBe('config');
    expect(salt.toString('utf8')).toBe('a-long-configured-salt');
    expect(() => statSync(join(dataDir, SALT_FILE_NAME))).toThrow();
  });

  it('a damaged salt file stops the start rather than silently re-keying every record', () => {
    const dataDir = freshDir();
    loadSalt({ dataDir });
    writeFileSync(join(dataDir, SALT_FILE_NAME), 'oops');
    expect(() => loadSalt({ dataDir })).toThrow(SaltFileError);
    expect(readFileSync(join(dataDir, SALT_FILE_NAME), 'utf8')).toBe('oops');
  });
});

describe('the identity hash', () => {
  const salt = Buffer.alloc(32, 1);

  it('is stable for one user, differs between users, channels and salts', () => {
    const a = identityHash(salt, 'telegram', '42');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(identityHash(salt, 'telegram', '42')).toBe(a);
    expect(identityHash(salt, 'telegram', '43')).not.toBe(a);
    expect(identityHash(salt, 'web', '42')).not.toBe(a);
    expect(identityHash(Buffer.alloc(32, 2), 'telegram', '42')).not.toBe(a);
  });

  it('is not the plain hash of the id: without the salt it cannot be recomputed', () => {
    const plain = createHash('sha256').update('telegram:42').digest('hex');
    expect(identityHash(salt, 'telegram', '42')).not.toBe(plain);
  });
});
