/** The envelope schema: stored data is untrusted input (SPEC §7). */
import { describe, expect, it } from 'vitest';
import {
  MAX_TRANSCRIPT_ENTRIES,
  parseEnvelope,
  trimTranscript,
} from '../../src/storage/envelope.js';
import { sampleEnvelope } from './contract.js';

describe('parseEnvelope', () => {
  it('accepts a well-formed envelope for its own key', () => {
    const envelope = sampleEnvelope();
    expect(parseEnvelope(JSON.parse(JSON.stringify(envelope)), envelope.key)).toEqual({
      ok: true,
      envelope,
    });
  });

  it('refuses another key’s envelope', () => {
    expect(parseEnvelope(sampleEnvelope(), 'web:someone-else')).toEqual({
      ok: false,
      reason: 'key mismatch',
    });
  });

  it('refuses garbage and names only the fields, never their values', () => {
    const bad = {
      ...sampleEnvelope(),
      channel: 'fax',
      revision: 0,
      snapshot: undefined,
      userRef: 'secret-user',
    };
    const result = parseEnvelope(bad, 'web:conv-1');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/channel/);
      expect(result.reason).toMatch(/revision/);
      expect(result.reason).not.toContain('fax');
    }
    for (const junk of [null, 'text', 42, [], { key: 'web:conv-1' }]) {
      expect(parseEnvelope(junk, 'web:conv-1').ok).toBe(false);
    }
  });

  it('refuses a transcript longer than the limit and replies of the wrong shape', () => {
    const entry = { from: 'bot' as const, at: '2026-01-01T00:00:00Z', replies: [] };
    const long = sampleEnvelope({
      transcript: Array.from({ length: MAX_TRANSCRIPT_ENTRIES + 1 }, () => entry),
    });
    expect(parseEnvelope(long, long.key).ok).toBe(false);
    const wrong = {
      ...sampleEnvelope(),
      transcript: [{ from: 'bot', at: 'x', replies: [{ text: 1 }] }],
    };
    expect(parseEnvelope(wrong, 'web:conv-1').ok).toBe(false);
    expect(trimTranscript(long.transcript)).toHaveLength(MAX_TRANSCRIPT_ENTRIES);
  });
});
