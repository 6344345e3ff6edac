/**
 * `GET /plan/:token` (a wildcard route): the plan page, rendered on request only (an ordinary turn never builds it),
 * with the pages' private headers; 404 for any token that does not name a live conversation
 * (guessed, altered, erased, expired, or the key restarted since). `GET /plan/imprimer.js` is the
 * one script the page may load: it shows « Télécharger en PDF » and opens the browser's print.
 */
import type { ChannelPlugin } from '../channel.js';
import { notFoundPage, renderPlanPage } from '../plan/html.js';
import {
  PAGE_HEADERS,
  PRINT_SCRIPT,
  PRINT_SCRIPT_PATH,
  pageShell,
  SCRIPT_HEADERS,
} from '../plan/page.js';
import type { PlanService } from '../plan/service.js';

const UNAVAILABLE = pageShell(
  'Indisponible — Clic Centre-Ville',
  '<h1>Page momentanément indisponible</h1><p>Nous n’arrivons pas à lire votre plan pour l’instant : réessayez dans quelques minutes.</p>',
);

/** The plan pages as a plugin of the server. */
export function planRoute(plans: PlanService): ChannelPlugin {
  return {
    name: 'plan',
    async plugin(app) {
      app.get(PRINT_SCRIPT_PATH, async (_request, reply) => {
        return reply.headers(SCRIPT_HEADERS).send(PRINT_SCRIPT);
      });
      // A wildcard, not `:token`: fastify refuses parameters over 100 characters with 414, and a
      // token grows with the conversation key (a Slack or web key makes it longer than that).
      app.get<{ Params: { '*': string } }>('/plan/*', async (request, reply) => {
        void reply.headers(PAGE_HEADERS);
        let page: string | undefined;
        try {
          const view = await plans.load(request.params['*']);
          page = view ? renderPlanPage(view) : undefined;
        } catch {
          return reply.code(503).send(UNAVAILABLE);
        }
        if (!page) return reply.code(404).send(notFoundPage());
        return reply.send(page);
      });
    },
  };
}
