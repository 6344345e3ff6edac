/** The envelope schema: stored data is untrusted input (SPEC §7). */
import { describe, expect, it } from 'vitest';
import {
  MAX_CHOICES,
  MAX_TRANSCRIPT_ENTRIES,
  parseEnvelope,
  parseTranscript,
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

  it('loads an envelope written before the transcript moved out, and hands its transcript over', () => {
    const entry = { from: 'user' as const, at: '2026-01-01T00:00:00Z', text: 'Bonjour' };
    const old = { ...sampleEnvelope(), transcript: [entry, { from: 'bot', at: 'x', replies: [] }] };
    const result = parseEnvelope(JSON.parse(JSON.stringify(old)), old.key);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.envelope).toEqual(
      sampleEnvelope({
        createdAt: old.createdAt,
        updatedAt: old.updatedAt,
        expiresAt: old.expiresAt,
      }),
    );
    expect(result.envelope).not.toHaveProperty('transcript');
    expect(parseTranscript(result.legacyTranscript)).toEqual([
      entry,
      { from: 'bot', at: 'x', replies: [] },
    ]);
  });

  it('refuses choices of the wrong shape (they are read back on every turn)', () => {
    const bad = { ...sampleEnvelope(), choices: [['obj:o5']] };
    expect(parseEnvelope(bad, 'web:conv-1').ok).toBe(false);
    const many = {
      ...sampleEnvelope(),
      choices: Array.from({ length: MAX_CHOICES + 1 }, () => ['a', 'b']),
    };
    expect(parseEnvelope(many, 'web:conv-1').ok).toBe(false);
  });
});

describe('parseTranscript', () => {
  it('keeps the valid entries in order, leaves out the malformed ones, and bounds the length', () => {
    const entry = { from: 'bot' as const, at: '2026-01-01T00:00:00Z', replies: [] };
    const long = Array.from({ length: MAX_TRANSCRIPT_ENTRIES + 1 }, () => entry);
    expect(parseTranscript(long)).toHaveLength(MAX_TRANSCRIPT_ENTRIES);
    expect(trimTranscript(long)).toHaveLength(MAX_TRANSCRIPT_ENTRIES);
    const mixed = [
      { from: 'user', at: 'a', text: 'un' },
      { from: 'bot', at: 'x', replies: [{ text: 1 }] },
      'garbage',
      { from: 'user', at: 'b', text: 'deux' },
    ];
    expect(parseTranscript(mixed).map((e) => e.text)).toEqual(['un', 'deux']);
    for (const junk of [null, 'text', 42, {}]) expect(parseTranscript(junk)).toEqual([]);
  });
});
