/**
 * Turns the machine's reply intents into neutral replies, in French, with the guide's content:
 * the catalog gives the words and figures, the core (assessment, recommendation, bilans) decides
 * what is recommended and why. Notices are placed at the top of the next reply; closing prompts
 * (« done », « contacts ») become the buttons of the reply before them, so nothing is a dead end.
 */
import type { Catalog } from '../../catalog/schema.js';
import {
  type ClicContext,
  type Intent,
  type NextChoice,
  type Notice,
  type Prompt,
  QUESTION_KIND,
  type QuestionId,
  type Social,
} from '../../flows/types.js';
import { assessMerchant, formatShare, prereqLabel, recommend } from '../core/index.js';
import { bold, button, type Inline, italic, makeReply, para } from '../reply/build.js';
import type { Block, Button, Card, Reply } from '../reply/model.js';
import { share as shareReplies } from '../reply/shared.js';
import { actionId } from './interpret.js';
import { ficheOf as fiche, ficheCard, label, menuButton, objectiveOf } from './present-common.js';
import { ficheDetails, ficheSummary } from './present-fiche.js';
import {
  merchantOf,
  merchantResultReplies,
  objectiveQuestion,
  objectiveReplies,
} from './present-merchant.js';
import {
  resultViewReplies,
  supportReply,
  territoryBilanReplies,
  territoryResultReplies,
} from './present-territory.js';

export { territoryAnswers } from './present-territory.js';

import {
  backButton,
  followupReplies,
  fundingReplies,
  objectiveButtons,
  objectiveResultReplies,
  offtopicReplies,
  resumable,
  resumeLine,
  understandNotice,
  unsureReplies,
} from './render-understand.js';

// === Small helpers

const MENU_BUTTON = menuButton;

/** What of the context a prompt's rendering may read: audience, sector, the P1–P4 answers. */
function profileKey(ctx: ClicContext): string {
  const a = ctx.answers;
  return `${ctx.audience ?? ''}|${ctx.sector ?? ''}|${a.P1 ?? ''}|${a.P2 ?? ''}|${a.P3 ?? ''}|${a.P4 ?? ''}`;
}

/**
 * The prompts whose replies depend only on the catalog and {@link profileKey} (the welcome, the
 * menu, an objective's solutions, a fiche and its details, the search hint) are rendered once per
 * key and shared (`share`: frozen, and their JSON and web form derived once too): thousands of
 * visitors read the same fourteen fiches. Bounded; a new catalog (tests) gets its own table.
 */
const rendered = new WeakMap<Catalog, Map<string, readonly Reply[]>>();
const MAX_RENDERED = 1000;

function once(catalog: Catalog, key: string, render: () => Reply[]): readonly Reply[] {
  let table = rendered.get(catalog);
  if (!table) {
    table = new Map();
    rendered.set(catalog, table);
  }
  let replies = table.get(key);
  if (!replies) {
    replies = shareReplies(render());
    if (table.size >= MAX_RENDERED) table.clear();
    table.set(key, replies);
  }
  return replies;
}

// === Questions

const MERCHANT_TEXT: Record<'P1' | 'P2' | 'P3' | 'P4', string> = {
  P1: 'Avez-vous déjà suivi une formation au numérique, ou utilisez-vous des outils numériques pour votre commerce ?',
  P2: 'Avez-vous déjà mené une démarche marketing : fichier clients, promotions, communication ?',
  P3: 'Votre commerce est-il présent et actif en ligne : fiche Google à jour, page animée sur les réseaux sociaux, site ?',
  P4: 'Avez-vous numérisé votre gestion : caisse, stocks ou commandes suivis sur ordinateur ou tablette ?',
};

const NEXT_LABEL: Record<NextChoice, string> = {
  collectif: 'Volet collectif (3 questions)',
  'centre-ville': 'Volet centre-ville (4 questions)',
  both: 'Les deux volets (7 questions)',
  end: 'Voir la feuille de route',
};

function roadmapQuestion(catalog: Catalog, id: QuestionId) {
  for (const r of catalog.roadmaps) {
    const q = r.questions.find((x) => x.id === id);
    if (q) return { roadmap: r, question: q };
  }
  return undefined;
}

function questionReply(
  catalog: Catalog,
  p: Extract<Prompt, { kind: 'question' }>,
  ctx: ClicContext,
): Reply {
  const ans = (value: string | number) => actionId.answer(value, p.seq);
  const yesNo = [
    button('Oui', ans('yes')),
    button('Non', ans('no')),
    button('Je ne sais pas', ans('unknown')),
  ];
  const head: Inline[] = p.progress
    ? [bold(`Question ${p.progress.current}/${p.progress.total}`), ' — ']
    : [];
  const blocks: Block[] = [];
  let buttons: Button[] = [];
  const q = p.question;
  switch (QUESTION_KIND[q]) {
    case 'sector':
      blocks.push(
        para(
          'Pour vous conseiller juste : votre secteur, puis 4 questions rapides. Pour commencer, dans quel secteur est votre commerce ?',
        ),
      );
      buttons = [
        ...catalog.guide.sectors.map((s) => button(label(s.label), ans(s.id))),
        button('Autre, ou je préfère ne pas dire', ans('unknown')),
      ];
      break;
    case 'yesno': {
      if (q === 'P1' || q === 'P2' || q === 'P3' || q === 'P4') {
        blocks.push(para(...head, MERCHANT_TEXT[q]));
        blocks.push(para(italic(`Prérequis du guide : « ${prereqLabel(catalog, q)} ».`)));
      } else {
        const rq = roadmapQuestion(catalog, q);
        blocks.push(para(...head, rq?.question.text ?? q));
      }
      buttons = yesNo;
      break;
    }
    case 'share': {
      const rq = roadmapQuestion(catalog, q);
      blocks.push(para(...head, rq?.question.text ?? q));
      blocks.push(
        para(
          italic(
            'Répondez par un pourcentage (par exemple 45), « la moitié », « un tiers »… ou « je ne sais pas ».',
          ),
        ),
      );
      buttons = [
        button('Environ 25 %', ans(25)),
        button('Environ 50 %', ans(50)),
        button('Environ 75 %', ans(75)),
        button('Je ne sais pas', ans('unknown')),
      ];
      break;
    }
    case 'structure': {
      const rq = roadmapQuestion(catalog, q);
      blocks.push(para(...head, rq?.question.text ?? q));
      const options = rq?.question.kind === 'choice' ? rq.question.options : [];
      buttons = [
        ...options.map((o) => button(label(o.label), ans(o.id))),
        button('Je ne sais pas', ans('unknown')),
      ];
      break;
    }
    case 'town':
      blocks.push(
        para(
          'Dans quelle ville est votre commerce ? C’est facultatif : elle sert seulement au bilan anonyme des commerçants de votre ville. Écrivez son nom, ou « passer ».',
        ),
      );
      buttons = [button('Passer', ans('skip'))];
      break;
    case 'consent':
      if (q === 'forget') {
        blocks.push(
          para(
            'Voulez-vous vraiment effacer vos données ? J’efface notre conversation et, si vous l’aviez acceptée, votre contribution anonyme au bilan de votre ville.',
          ),
        );
        buttons = [button('Oui, tout effacer', ans('yes')), button('Non, continuer', ans('no'))];
      } else {
        const town = ctx.town ?? 'votre ville';
        blocks.push(
          para(
            'Acceptez-vous que vos réponses soient comptées, ',
            bold('anonymement'),
            `, dans le bilan des commerçants de ${town} ? C’est « non » si vous ne répondez pas.`,
          ),
        );
        blocks.push(
          para(
            'Ce qui est compté : la ville, votre secteur, vos 4 réponses, votre niveau et le mois — jamais qui vous êtes. Vous pourrez le retirer à tout moment en écrivant « oublier mes données ».',
          ),
        );
        blocks.push(
          para(
            italic(
              'À quoi cela sert : donner à la commune la part des commerçants présents sur le web, ayant numérisé leur gestion…, pour choisir ses actions. Aucun chiffre n’est montré en dessous de 5 commerçants.',
            ),
          ),
        );
        buttons = [button('Oui, compter mes réponses', ans('yes')), button('Non', ans('no'))];
      }
      break;
    case 'prefill': {
      const offer = ctx.observatory;
      blocks.push(
        para(
          offer
            ? `Selon ${offer.respondents} commerçants de ${offer.town} : ${formatShare(offer.web)} présents sur le web, ${formatShare(offer.connectes)} sensibilisés au numérique — utiliser ces chiffres ?`
            : 'Utiliser les chiffres des commerçants de votre ville ?',
        ),
        para(
          italic(
            'Ce sont les réponses des commerçants qui ont fait leur autodiagnostic et accepté d’être comptés : des chiffres déclarés, pas un recensement. Sinon, vous saisissez vos propres chiffres (3 questions).',
          ),
        ),
      );
      buttons = [
        button('Oui, utiliser ces chiffres', ans('yes')),
        button('Non, je saisis mes chiffres', ans('no')),
      ];
      break;
    }
    case 'next': {
      blocks.push(para('Voulez-vous aller plus loin ?'));
      const options = p.options ?? ['end'];
      buttons = options.map((o) => button(NEXT_LABEL[o], ans(o)));
      break;
    }
    case 'region':
      blocks.push(
        para(
          'Dans quelle région êtes-vous ? Je vous donnerai le contact de la Banque des Territoires. Choisissez-la, écrivez son nom, ou « passer ».',
        ),
      );
      buttons = [
        ...catalog.contacts.regions.map((r) => button(label(r.name), ans(r.id))),
        button('Passer', ans('skip')),
      ];
      break;
  }
  // Every diagnostic question after the first has « Retour », to change the previous answer.
  const first =
    q === 'sector' ||
    q === 'forget' ||
    q === 'prefill' ||
    (q === 'connectes' && p.progress?.current === 1);
  if (!first) buttons.push(backButton());
  return makeReply({
    blocks,
    buttons,
    ...(p.progress ? { progress: p.progress } : {}),
  });
}

// === Prompts

function menuButtons(catalog: Catalog, ctx: ClicContext): Button[] {
  const diag: Button[] =
    ctx.audience === 'commercant'
      ? [button('Faire mon diagnostic', actionId.diag('commercant'))]
      : ctx.audience === 'collectivite'
        ? [button('Diagnostiquer mon territoire', actionId.diag('territoire'))]
        : [
            button('Diagnostic de mon commerce', actionId.diag('commercant')),
            button('Diagnostic de mon territoire', actionId.diag('territoire')),
          ];
  return [
    ...catalog.objectives.map((o) => button(label(o.menuLabel), actionId.objective(o.id))),
    ...diag,
    button('Chercher une fiche', actionId.nav('search')),
    button('Contacts et financement', actionId.nav('contact')),
  ];
}

function promptReplies(catalog: Catalog, ctx: ClicContext, p: Prompt): readonly Reply[] {
  switch (p.kind) {
    case 'audience':
    case 'search':
      return once(catalog, p.kind, () => renderPrompt(catalog, ctx, p));
    case 'menu':
      return once(catalog, `menu|${ctx.audience ?? ''}`, () => renderPrompt(catalog, ctx, p));
    case 'objective':
      return once(catalog, `objective|${p.objective}|${profileKey(ctx)}`, () =>
        renderPrompt(catalog, ctx, p),
      );
    case 'fiche':
      return once(
        catalog,
        p.details ? `details|${p.id}|${p.part ?? 1}` : `fiche|${p.id}|${profileKey(ctx)}`,
        () => renderPrompt(catalog, ctx, p),
      );
    default:
      return renderPrompt(catalog, ctx, p);
  }
}

function renderPrompt(catalog: Catalog, ctx: ClicContext, p: Prompt): Reply[] {
  switch (p.kind) {
    case 'audience':
      return [
        makeReply({
          blocks: [
            para(
              'Bonjour 👋 Je suis l’assistant Clic Centre-Ville : je vous aide à choisir les outils numériques utiles au commerce de centre-ville, d’après le guide de la Banque des Territoires.',
            ),
            para('Vous êtes…'),
          ],
          buttons: [
            button('Commerçant·e', actionId.audience('commercant')),
            button('Collectivité', actionId.audience('collectivite')),
            button('Je découvre', actionId.audience('visiteur')),
          ],
        }),
      ];
    case 'menu':
      return [
        makeReply({
          blocks: [
            para(
              ctx.audience === 'collectivite'
                ? 'Je souhaite… (choisissez un objectif)'
                : 'Que souhaitez-vous ?',
            ),
            para(italic('Vous pouvez aussi écrire votre besoin en quelques mots.')),
          ],
          buttons: menuButtons(catalog, ctx),
        }),
      ];
    case 'objective':
      return objectiveReplies(catalog, ctx, p.objective);
    case 'fiche':
      return p.details
        ? ficheDetails(catalog, p.id, p.part ?? 1)
        : ficheSummary(catalog, ctx, p.id);
    case 'view':
      return resultViewReplies(catalog, ctx, p.view);
    case 'search':
      return [
        makeReply({
          blocks: [
            para(
              'Que cherchez-vous ? Décrivez votre besoin en quelques mots, par exemple « fidéliser mes clients » ou « les gens ne trouvent pas où se garer ».',
            ),
          ],
          buttons: [MENU_BUTTON()],
        }),
      ];
    case 'contacts':
    case 'done':
      return [
        makeReply({
          blocks:
            p.kind === 'done' && p.flow === 'commercant' && !ctx.objective
              ? objectiveQuestion(catalog).blocks
              : [para('Que souhaitez-vous faire maintenant ?')],
          buttons: closingButtons(catalog, ctx, p),
        }),
      ];
    case 'question':
      return [questionReply(catalog, p, ctx)];
  }
}

function closingButtons(catalog: Catalog, ctx: ClicContext, p: Prompt): Button[] {
  if (p.kind === 'done' && p.flow === 'commercant') {
    const merchant = merchantOf(catalog, ctx);
    const first = merchant
      ? recommend(catalog, {
          audience: 'commercant',
          merchant,
          ...(ctx.objective ? { objective: ctx.objective } : {}),
        }).firstStep
      : undefined;
    return [
      ...(first
        ? [button(label(`Voir : ${first.fiche.title}`), actionId.fiche(first.fiche.id))]
        : []),
      // No objective chosen yet: the question below asks for one (issue 16).
      ...(ctx.objective ? [] : objectiveQuestion(catalog).buttons),
      MENU_BUTTON(),
      button('Refaire le diagnostic', actionId.nav('restart')),
    ];
  }
  if (p.kind === 'done' && p.flow === 'territoire') {
    return [
      MENU_BUTTON(),
      button('Contacts et financement', actionId.nav('contact')),
      button('Refaire le diagnostic', actionId.nav('restart')),
    ];
  }
  return [MENU_BUTTON(), button('Chercher une fiche', actionId.nav('search'))];
}

// === Notices

function adviceFor(catalog: Catalog, q: QuestionId): string {
  if (q === 'P1' || q === 'P2' || q === 'P3' || q === 'P4') {
    const wanted = prereqLabel(catalog, q).toLowerCase();
    const advice = assessMerchant(catalog, { [q]: 'unknown' }).advice;
    return advice.find((a) => a.toLowerCase().includes(wanted)) ?? advice[0] ?? '';
  }
  const rq = roadmapQuestion(catalog, q);
  const step = rq?.roadmap.steps[0];
  if (step)
    return `Pour le savoir, la feuille de route commence justement par là : « ${step.title} » (${step.means.join(', ')}).`;
  return '';
}

function noticeBlocks(catalog: Catalog, n: Notice): Block[] {
  const understood = understandNotice(catalog, n);
  if (understood) return understood;
  switch (n.kind) {
    case 'hello':
      return [para('Bonjour 👋 Je suis l’assistant Clic Centre-Ville.')];
    case 'unknown-entry':
      return [para('Ce lien ne mène à aucune page que je connais : je vous accueille au début.')];
    case 'stale':
      return [para('Ce bouton date d’une étape précédente. Reprenons : …')];
    case 'unknown-action':
      return [para('Je ne reconnais pas ce choix. Reprenons : …')];
    case 'not-understood':
      return [para('Je n’ai pas bien compris, désolé. Voici ce que je peux faire :')];
    case 'first-question':
      return [para('Nous sommes à la première question.')];
    case 'help':
      return [
        para(
          'Je réponds d’après le guide de la Banque des Territoires « Dynamiser le commerce de centre-ville en un clic ? ». Répondez avec les boutons ou en quelques mots.',
        ),
        para(
          'À tout moment : « menu », « retour » (question précédente), « recommencer », « contact », « oublier mes données ».',
        ),
      ];
    case 'restart':
      return [para('C’est reparti depuis le début.')];
    case 'noted-unknown': {
      const advice = adviceFor(catalog, n.question);
      return [
        para('Noté : vous ne savez pas, c’est une réponse valable.', advice ? ` ${advice}` : ''),
      ];
    }
    case 'clarify':
      return [para(n.text)];
    case 'objective-noted': {
      const o = objectiveOf(catalog, n.objective);
      return [para(`${o?.menuLabel ?? 'Votre objectif'} : c’est noté.`)];
    }
    case 'forget-cancelled':
      return [para('D’accord, je n’efface rien. Reprenons : …')];
    case 'resume':
      return [];
    case 'greeting':
      return [para('Bonjour 👋 Je vous écoute.')];
    case 'thanks':
      return [para('Avec plaisir !')];
    case 'ack':
      return [para('Très bien !')];
    default:
      return [];
  }
}

const SOCIAL_TEXT: Readonly<Record<Social, string>> = {
  greeting:
    'Bonjour 👋 Je vous écoute : posez votre question en quelques mots, ou revenez au menu.',
  thanks: 'Avec plaisir ! Posez-moi une autre question quand vous voulez, ou revenez au menu.',
  bye: 'Au revoir, et bonne continuation ! Vous pourrez reprendre où nous en étions.',
  ack: 'Très bien ! Posez-moi une autre question quand vous voulez, ou revenez au menu.',
};

// === Assembling a turn

function uniqueButtons(buttons: readonly Button[]): Button[] {
  const seen = new Set<string>();
  return buttons.filter((b) => !seen.has(b.action) && Boolean(seen.add(b.action)));
}

/** What the dialogue layer needs beside the intents. */
export interface RenderContext {
  readonly catalog: Catalog;
  /** The machine context after the turn (audience, answers, town…). */
  readonly state: ClicContext;
}

/** The replies of one turn, from its intents in order. */
export function renderIntents(intents: readonly Intent[], rc: RenderContext): Reply[] {
  const { catalog, state } = rc;
  const replies: Reply[] = [];
  let pending: Block[] = [];
  const push = (rs: readonly Reply[]) => {
    for (const r of rs) {
      if (pending.length > 0) {
        replies.push(makeReply({ ...r, blocks: [...pending, ...r.blocks] }));
        pending = [];
      } else replies.push(r);
    }
  };
  for (const intent of intents) {
    switch (intent.type) {
      case 'notice':
        pending.push(...noticeBlocks(catalog, intent.notice));
        break;
      case 'prompt': {
        const p = intent.prompt;
        const last = replies[replies.length - 1];
        if ((p.kind === 'done' || p.kind === 'contacts') && last && pending.length === 0) {
          // A closing prompt: its buttons finish the reply before it.
          const asksObjective = p.kind === 'done' && p.flow === 'commercant' && !state.objective;
          replies[replies.length - 1] = makeReply({
            ...last,
            blocks: [...last.blocks, ...(asksObjective ? objectiveQuestion(catalog).blocks : [])],
            buttons: uniqueButtons([
              ...(last.buttons ?? []),
              ...closingButtons(catalog, state, p),
            ]).slice(0, 12),
          });
        } else push(promptReplies(catalog, state, p));
        break;
      }
      case 'search-results':
        push(searchReplies(catalog, intent, state));
        break;
      case 'merchant-result':
        push(merchantResultReplies(catalog, intent));
        break;
      case 'territory-bilan':
        push(territoryBilanReplies(catalog, intent));
        break;
      case 'territory-result':
        push(territoryResultReplies(catalog, intent));
        break;
      case 'contacts':
        push([
          intent.canResume
            ? resumable(supportReply(catalog, intent.region, false))
            : supportReply(catalog, intent.region, false),
        ]);
        break;
      case 'funding':
        push(fundingReplies(catalog, intent.canResume));
        break;
      case 'offtopic':
        push(offtopicReplies(intent.offtopic, intent.canResume));
        break;
      case 'followup':
        push(followupReplies(catalog, intent, state));
        break;
      case 'consent':
        push([
          makeReply({
            blocks: [
              intent.accepted && intent.town
                ? para(
                    `Merci ! Vos réponses comptent, anonymement, dans le bilan des commerçants de ${intent.town}. Pour les retirer : écrivez « oublier mes données ».`,
                  )
                : para('C’est noté : rien n’est compté, vos réponses restent entre nous.'),
            ],
          }),
        ]);
        break;
      case 'social':
        push([
          makeReply({
            blocks: [para(SOCIAL_TEXT[intent.social])],
            buttons: [
              ...(intent.canResume
                ? [button('Reprendre la question', actionId.nav('resume'))]
                : []),
              MENU_BUTTON(),
            ],
          }),
        ]);
        break;
      case 'forget':
        push([
          makeReply({
            blocks: [
              para(
                'C’est fait : notre conversation est effacée, ainsi que votre éventuelle contribution anonyme au bilan de votre ville.',
              ),
            ],
          }),
        ]);
        break;
    }
  }
  if (pending.length > 0) push(promptReplies(catalog, state, state.prompt));
  return replies;
}

function searchReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'search-results' }>,
  state: ClicContext,
): Reply[] {
  const s = intent.search;
  if (s.kind === 'fiches' && s.unsure) return unsureReplies(catalog, s.ids, intent.canResume);
  const resume = intent.canResume ? [button('Reprendre la question', actionId.nav('resume'))] : [];
  if (s.kind === 'none')
    return [
      makeReply({
        blocks: [para('Je n’ai pas trouvé de solution du guide pour cela.')],
        buttons: [...resume, MENU_BUTTON()],
      }),
    ];
  const cards: Card[] = [];
  for (const id of s.ids.slice(0, 3)) {
    const f = fiche(catalog, id);
    if (!f) continue;
    const o = objectiveOf(catalog, f.objective);
    cards.push(
      ficheCard(
        catalog,
        { fiche: f, reason: `${f.summary}${o ? ` (objectif « ${o.menuLabel} »)` : ''}` },
        { whyLabel: false },
      ),
    );
  }
  const best =
    s.kind === 'objective'
      ? s.objective
      : s.ids[0]
        ? fiche(catalog, s.ids[0])?.objective
        : undefined;
  const o = best ? objectiveOf(catalog, best) : undefined;
  if (s.kind === 'objective' && o && !intent.canResume)
    return objectiveResultReplies(o, cards, objectiveButtons(catalog, o.id, state.audience));
  const intro =
    s.kind === 'objective' && o
      ? `Cela correspond à l’objectif « ${o.menuLabel} ».`
      : cards.length > 1
        ? 'Voici les solutions du guide qui correspondent le mieux, la plus proche d’abord :'
        : 'Je pense à cette solution du guide :';
  return [
    makeReply({
      blocks: [para(intro), ...(intent.canResume ? [resumeLine()] : [])],
      cards,
      buttons: [
        ...resume,
        ...(o
          ? [button(label(`Autres solutions : ${o.menuLabel}`), actionId.objective(o.id))]
          : []),
        ...(intent.canResume ? [] : [button('Ce n’est pas ça', actionId.nav('search'))]),
        // A merchant who has not done the diagnostic is offered it (DIALOGUES §4).
        ...(!intent.canResume && state.audience === 'commercant' && !merchantOf(catalog, state)
          ? [button('Mon diagnostic (4 questions)', actionId.diag('commercant'))]
          : []),
        MENU_BUTTON(),
      ],
    }),
  ];
}
