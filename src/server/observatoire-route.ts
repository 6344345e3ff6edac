/**
 * `GET /observatoire/:town` (a wildcard route: encoded town names outgrow fastify's 100-character
 * parameters): the observatory's page for one town, with the pages' private headers. 401 without
 * the bearer token or a valid signed link, 404 for a town nobody was counted in.
 */
import type { ChannelPlugin } from '../channel.js';
import type { ObservatoryPages } from '../observatory/page.js';
import { PAGE_HEADERS } from '../plan/page.js';

/** The observatory pages as a plugin of the server. */
export function observatoirePageRoute(pages: ObservatoryPages): ChannelPlugin {
  return {
    name: 'observatoire',
    async plugin(app) {
      app.get<{ Params: { '*': string }; Querystring: { exp?: string; sig?: string } }>(
        '/observatoire/*',
        async (request, reply) => {
          void reply.headers(PAGE_HEADERS);
          let town = '';
          try {
            town = decodeURIComponent(request.params['*'] ?? '');
          } catch {
            town = '';
          }
          const answer = await pages.answer({
            town,
            authorization: request.headers.authorization,
            exp: request.query.exp,
            sig: request.query.sig,
          });
          if (answer.status === 401)
            void reply.header('www-authenticate', 'Bearer realm="observatoire"');
          return reply.code(answer.status).send(answer.html);
        },
      );
    },
  };
}
