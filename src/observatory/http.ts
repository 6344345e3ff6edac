/**
 * `GET /api/observatory/:town` (SPEC §8, issue 9): a town's figures as JSON for the town's own
 * tools, behind `Authorization: Bearer $OBSERVATORY_TOKEN` compared in constant time. 401
 * without the header or with a wrong token, 404 for a town no merchant was counted in; below 5
 * respondents the body says so and holds no figure. Framework-free: the fastify route lives in
 * the composition root (`src/server/`), which mounts it only when the token is set.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TownAggregate } from './aggregate.js';
import { cleanTownName, MAX_TOWN_LENGTH, townKey } from './records.js';

/** What the route needs from the observatory. */
export interface ObservatoryReader {
  aggregate(town: string): Promise<TownAggregate | undefined>;
}

/** What the route needs: the token and the observatory. */
export interface ObservatoryRoutesOptions {
  /** OBSERVATORY_TOKEN (at least 16 characters, checked by the config). */
  readonly token: string;
  readonly observatory: ObservatoryReader;
}

/** The route's path, for the composition root and the docs. */
export const OBSERVATORY_ROUTE = '/api/observatory/:town';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * True when the header carries the token. Both sides are hashed first, so the comparison takes
 * the same time whatever the length or the content of what was sent.
 */
export function bearerMatches(header: unknown, token: string): boolean {
  const value = typeof header === 'string' ? header : '';
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  const given = match?.[1] ?? '';
  const same = timingSafeEqual(digest(given), digest(token));
  return same && given.length > 0;
}

/** What the route answers, framework-free (the server's fastify route only copies it out). */
export interface ObservatoryHttpResponse {
  readonly status: 200 | 401 | 404;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: object;
}

const JSON_HEADERS = {
  'cache-control': 'no-store',
  'content-type': 'application/json; charset=utf-8',
} as const;

/**
 * Answers `GET /api/observatory/:town` from the request's `Authorization` header and `town`
 * parameter (both untrusted): 401 unless the bearer matches, 404 for a town nobody was counted in,
 * else 200 with the aggregate (which below 5 respondents holds no figure).
 */
export async function observatoryResponse(
  options: ObservatoryRoutesOptions,
  request: { readonly authorization: unknown; readonly town: unknown },
): Promise<ObservatoryHttpResponse> {
  if (!bearerMatches(request.authorization, options.token)) {
    return {
      status: 401,
      headers: { ...JSON_HEADERS, 'www-authenticate': 'Bearer realm="observatoire"' },
      body: {
        error: 'unauthorized',
        message: 'Jeton d’accès à l’observatoire absent ou invalide.',
      },
    };
  }
  const raw = typeof request.town === 'string' ? request.town : '';
  const town = cleanTownName(raw);
  if (!town || raw.length > MAX_TOWN_LENGTH * 2 || !townKey(town)) {
    return {
      status: 404,
      headers: JSON_HEADERS,
      body: { error: 'not_found', message: 'Ville inconnue.' },
    };
  }
  const aggregate = await options.observatory.aggregate(town);
  if (!aggregate) {
    return {
      status: 404,
      headers: JSON_HEADERS,
      body: {
        error: 'not_found',
        message: 'Aucun commerçant de cette ville n’est compté dans l’observatoire.',
      },
    };
  }
  return { status: 200, headers: JSON_HEADERS, body: aggregate };
}
