/**
 * `GET /api/observatory/:town` as the observatory answers it (issue 9): 401 without the header or
 * with a wrong token, 404 for a town nobody was counted in, 200 JSON with the figures (or, below 5,
 * with none). The route itself, mounted only when OBSERVATORY_TOKEN is set, is tested through the
 * server in route.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { bearerMatches, observatoryResponse } from '../../src/observatory/index.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { cohort, createStack, storeClock } from './helpers.js';

const TOKEN = 'a-very-long-observatory-token';

async function observatoryWithTowns() {
  const store = createMemoryStore({ now: storeClock });
  for (const r of cohort(23, 13, 'P3')) await store.records.put(r);
  for (const r of cohort(3, 1, 'P3', { town: 'Joigny' })) await store.records.put(r);
  return createStack(store).observatory;
}

describe('the observatory endpoint’s answers', () => {
  it('without the header, or with a wrong or malformed token: 401, no figure', async () => {
    const observatory = await observatoryWithTowns();
    for (const authorization of [
      undefined,
      'Bearer wrong-token-of-some-length',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      'Bearer',
      ['Bearer', TOKEN],
    ]) {
      const res = await observatoryResponse(
        { token: TOKEN, observatory },
        { authorization, town: 'Sens' },
      );
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
      expect(JSON.stringify(res.body)).not.toContain('respondents');
    }
  });

  it('the right token: 200 JSON with n, the shares and the thresholds applied', async () => {
    const observatory = await observatoryWithTowns();
    const res = await observatoryResponse(
      { token: TOKEN, observatory },
      { authorization: `Bearer ${TOKEN}`, town: 'sens' },
    );
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(JSON.stringify(res.body));
    expect(body).toMatchObject({ status: 'figures', town: 'Sens', respondents: 23 });
    expect(body.measures.find((m: { prereq: string }) => m.prereq === 'P3')).toMatchObject({
      label: 'part des commerçants présents sur le web',
      count: 13,
      share: 56.5,
    });
    expect(body.bilans.individuel).toMatchObject({ threshold: 60, validated: false });
    expect(JSON.stringify(body)).not.toMatch(/identity|[0-9a-f]{64}/);
  });

  it('a town nobody was counted in, or no town: 404', async () => {
    const observatory = await observatoryWithTowns();
    for (const town of ['Auxerre', '', '---', 'x'.repeat(500), 42]) {
      const res = await observatoryResponse(
        { token: TOKEN, observatory },
        { authorization: `Bearer ${TOKEN}`, town },
      );
      expect(res.status).toBe(404);
    }
  });

  it('a town with fewer than 5: 200, and no figure at all', async () => {
    const observatory = await observatoryWithTowns();
    const res = await observatoryResponse(
      { token: TOKEN, observatory },
      { authorization: `Bearer ${TOKEN}`, town: 'Joigny' },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'too-few' });
    expect(res.body).not.toHaveProperty('respondents');
    expect(JSON.stringify(res.body)).not.toMatch(/\b3\b/);
  });

  it('bearerMatches compares exactly (the scheme’s case aside)', () => {
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN.toUpperCase()}`, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });
});
