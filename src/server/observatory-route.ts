/**
 * `GET /api/observatory/:town` mounted into the server (SPEC §8, issue 9): the framework-free
 * answer of `src/observatory/http.ts` copied onto fastify's reply. Mounted only when
 * OBSERVATORY_TOKEN is set — otherwise the route does not exist and answers the server's 404.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  OBSERVATORY_ROUTE,
  type ObservatoryReader,
  observatoryResponse,
} from '../observatory/http.js';
import type { ChannelPlugin } from './build-server.js';

/** The encapsulated plugin with the one route. */
export function createObservatoryRoute(
  token: string,
  observatory: ObservatoryReader,
): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { town?: string } }>(OBSERVATORY_ROUTE, async (request, reply) => {
      const answer = await observatoryResponse(
        { token, observatory },
        { authorization: request.headers.authorization, town: request.params.town },
      );
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
  };
}

/** The route as a mounted piece of the server, or undefined when OBSERVATORY_TOKEN is unset. */
export function observatoryRoute(
  token: string | undefined,
  observatory: ObservatoryReader | undefined,
): ChannelPlugin | undefined {
  if (!token || !observatory) return undefined;
  return { name: 'observatory', plugin: createObservatoryRoute(token, observatory) };
}
