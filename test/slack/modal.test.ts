/**
 * The « Diagnostic du territoire » modal end to end (SPEC §5 Diagnostic territoire, DIALOGUES §2,
 * guide pp. 39–42): opened on the command's trigger_id with the roadmaps' questions, invalid
 * answers shown in the modal, valid ones → the bilan and the roadmap with ★ steps, privately.
 */
import { describe, expect, it } from 'vitest';
import { encodeOrigin, readDiagnosticSubmission } from '../../adapters/slack/modal.js';
import { getCatalog } from '../../catalog/load.js';
import { assertViewErrors } from './block-kit-limits.js';
import {
  buttonsOf,
  closeSlackAppsAfterEach,
  createSlackTestApp,
  type SlackTestApp,
  shownText,
  state,
  until,
  viewSubmissionPayload,
} from './helpers.js';

let t: SlackTestApp | undefined;
closeSlackAppsAfterEach();

const catalog = getCatalog();

interface ViewBlock {
  type: string;
  block_id?: string;
  label?: { text: string };
  element?: { type: string; options?: { value: string }[] };
}

async function openDiagnostic(app: SlackTestApp) {
  const response = await app.command('diagnostic');
  expect(response.statusCode).toBe(200);
  await until(() => app.api.some((c) => c.method === 'views.open'));
  const call = app.api.find((c) => c.method === 'views.open');
  if (!call) throw new Error('views.open not called');
  return call as unknown as {
    args: {
      trigger_id: string;
      view: {
        blocks: ViewBlock[];
        private_metadata: string;
        callback_id: string;
        title: { text: string };
      };
    };
  };
}

describe('opening the modal', () => {
  it('/centreville diagnostic opens « Diagnostic du territoire » on the trigger_id, with every roadmap question', async () => {
    t = await createSlackTestApp();
    const { args } = await openDiagnostic(t);
    expect(args.trigger_id).toMatch(/^13345224609\.738474920\.trig/);
    expect(args.view.title.text).toBe('Diagnostic du territoire');
    const inputs = args.view.blocks.filter((b) => b.type === 'input');
    // objective + 3 individuel shares + 2 collectif shares + structuration + 4 centre-ville yes/no
    expect(inputs).toHaveLength(11);
    const byId = Object.fromEntries(inputs.map((b) => [b.block_id, b]));
    expect(byId['individuel.connectes']?.element?.type).toBe('number_input');
    expect(byId['collectif.structuration-association']?.element?.type).toBe('static_select');
    expect(
      byId['centre-ville.parkings-temps-reel']?.element?.options?.map(
        (o: { value: string }) => o.value,
      ),
    ).toEqual(['yes', 'no', 'unknown']);
    expect(byId.objective?.element?.options).toHaveLength(5);
    // Guide p. 39: « Quelle part des commerçants … fiche Google (Google Address) ? »
    expect(byId['individuel.fiche-google']?.label?.text).toContain('fiche Google');
    // The modal remembers where to post the bilan: the command's response_url.
    expect(JSON.parse(args.view.private_metadata).r).toMatch(/^http:\/\/slack\.test\/commands\//);
  });
});

describe('submitting the modal', () => {
  it('150 % → the error is shown under the field in the modal, nothing is posted', async () => {
    t = await createSlackTestApp();
    const { args } = await openDiagnostic(t);
    const response = await t.interact(
      viewSubmissionPayload(
        'cv-diagnostic',
        {
          'individuel.connectes': state.number('150'),
          'individuel.reseaux-sociaux': state.number('40'),
        },
        args.view.private_metadata,
      ),
    );
    expect(response.statusCode).toBe(200);
    const ids = args.view.blocks.flatMap((b) => (b.block_id ? [b.block_id] : []));
    const errors = assertViewErrors(response.json(), ids);
    expect(errors['individuel.connectes']).toMatch(/entre 0 et 100/);
    await t.channel.drain();
    expect(t.hooks).toEqual([]);
  });

  it('an empty form → asked to answer at least one question', async () => {
    t = await createSlackTestApp();
    const response = await t.interact(viewSubmissionPayload('cv-diagnostic', {}));
    expect(response.json().response_action).toBe('errors');
  });

  it('45 % web-active (guide p. 39, below 60 %) → bilan « à renforcer », roadmap with ★ steps, training first', async () => {
    t = await createSlackTestApp();
    const { args } = await openDiagnostic(t);
    const response = await t.interact(
      viewSubmissionPayload(
        'cv-diagnostic',
        {
          objective: state.select('o5'),
          'individuel.connectes': state.number('80'),
          'individuel.reseaux-sociaux': state.number('45'),
          'individuel.fiche-google': state.number('30'),
        },
        args.view.private_metadata,
      ),
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    await until(() => t!.hooks.length > 0);
    await t.channel.drain();
    const shown = t.hooks.map((h) => shownText(h.body)).join('\n');
    expect(t.hooks.every((h) => h.path.startsWith('/commands/'))).toBe(true);
    expect(t.hooks.every((h) => h.body.response_type === 'ephemeral')).toBe(true);
    // The one short summary every channel shows (issue 16): bilan in one line, what to launch
    // first, the next ★ step of the roadmap (guide p. 39: training), what waits and why.
    expect(shown).toContain('*Commerçant individuel : à renforcer* — 45 %');
    expect(shown).toMatch(/\*À lancer d’abord :\* Formation en ligne ou via un lieu dédié/);
    expect(shown).toMatch(/\*Prochaine étape ★ :\* Je lance du coaching[^\n]*étape 2/);
    // Order rule (guide p. 42): the marketplace waits.
    expect(shown).toMatch(/\*Plus tard :\*[^\n]*Place de marché numérique/);
    // TOWN_REGION answered the dialogue's region question: the contact comes with the result.
    expect(shown).toContain('bourgogne-franche-comte@caissedesdepots.fr');
    expect(shown).not.toContain('Dans quelle région');
  });

  it('without a response_url the bilan comes as a direct message from the bot', async () => {
    t = await createSlackTestApp();
    await t.interact(
      viewSubmissionPayload('cv-diagnostic', {
        'individuel.reseaux-sociaux': state.number('75'),
        'collectif.stocks-informatises': state.number('70'),
        'centre-ville.parkings-temps-reel': state.radio('no'),
      }),
    );
    await until(() => t!.api.some((c) => c.method === 'chat.postMessage'));
    await t.channel.drain();
    const posts = t.api.filter((c) => c.method === 'chat.postMessage');
    expect(posts.every((p) => p.args.channel === 'U0MANAGER')).toBe(true);
    const shown = posts.map((p) => shownText(p.args)).join('\n');
    expect(shown).toContain('*Commerçant individuel : validé* — 75 %');
    expect(shown).toContain('*Collectif : validé* — 70 % de stocks informatisés');
    expect(shown).toContain('*Centre-ville : à renforcer* — 1 « non » sur 4 questions');
    expect(shown).toMatch(/\*À lancer d’abord :\* Place de marché numérique/);
  });

  it('without TOWN_REGION the dialogue asks the region: the individuel bilan comes first, then the question', async () => {
    t = await createSlackTestApp({ townRegion: '' });
    await t.interact(
      viewSubmissionPayload('cv-diagnostic', {
        'individuel.reseaux-sociaux': state.number('75'),
      }),
    );
    await until(() => t!.api.some((c) => c.method === 'chat.postMessage'));
    await t.channel.drain();
    const posts = t.api.filter((c) => c.method === 'chat.postMessage');
    const shown = posts.map((p) => shownText(p.args)).join('\n');
    expect(shown).toContain('*Bilan « commerçant individuel » : validé.*');
    expect(shown).toContain('Dans quelle région êtes-vous ?');
    // The questions the modal answered are not asked again.
    expect(shown).not.toContain('Question 1/3');
    expect(shown).not.toContain('Voulez-vous aller plus loin ?');
    const last = posts[posts.length - 1]?.args ?? {};
    expect(buttonsOf(last).map((b) => b.label)).toContain('Passer');
  });
});

describe('reading the modal state (untrusted input)', () => {
  it('shares as typed, choices as the buttons the dialogue offers, an empty field « je ne sais pas »', () => {
    const ok = readDiagnosticSubmission(catalog, {
      'individuel.connectes': state.number('45,5'),
      'collectif.structuration-association': state.select('moyenne'),
      'centre-ville.service-communication': state.radio('yes'),
    });
    const unknown = { press: 'unknown' };
    expect(ok).toEqual({
      ok: true,
      answers: {
        individuel: [{ typed: '45,5' }, unknown, unknown],
        collectif: [unknown, unknown, { press: 'moyenne' }],
        centreVille: [{ press: 'yes' }, unknown, unknown, unknown],
      },
    });
    // A roadmap with no field filled is not gone into, as a user would answer « terminer ».
    const only = readDiagnosticSubmission(catalog, { 'individuel.connectes': state.number('0') });
    expect(only).toEqual({ ok: true, answers: { individuel: [{ typed: '0' }, unknown, unknown] } });
  });

  it('refuses what the dialogue would not read: out-of-range shares, unknown choices and objectives', () => {
    const bad = readDiagnosticSubmission(catalog, {
      'centre-ville.service-communication': state.radio('peut-être'),
      objective: state.select('o9'),
      'individuel.connectes': state.number('-3'),
      'individuel.fiche-google': state.number('dix-sept ou vingt'),
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.errors).sort()).toEqual([
        'centre-ville.service-communication',
        'individuel.connectes',
        'individuel.fiche-google',
        'objective',
      ]);
    }
    expect(readDiagnosticSubmission(catalog, 'garbage').ok).toBe(false);
  });

  it('private_metadata stays under 3000 characters even with an absurd response_url', () => {
    const meta = encodeOrigin({
      responseUrl: `https://hooks.slack.com/${'x'.repeat(4000)}`,
      channelId: 'C1',
    });
    expect(meta.length).toBeLessThanOrEqual(3000);
  });
});
