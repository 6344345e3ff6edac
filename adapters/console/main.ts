/**
 * `npm run chat` — the dialogues in a terminal, no token needed. Options: `--start <entry>`
 * (objectif-3, fiche-<id>, diagnostic-commercant, diagnostic-territoire), `--town <name>`,
 * `--data <dir>` (SQLite store there; memory otherwise). Works with a pipe: one line per turn,
 * clean exit at end of input. With `--data`, a result ends with the URL of « Mon plan d'action »
 * under PUBLIC_URL: the server started on the same DATA_DIR serves that page (issue 19).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { loadSalt } from '../../src/observatory/identity.js';
import { withPlanLink, withPlanLinks } from '../../src/plan/links.js';
import { createPlanService } from '../../src/plan/service.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createSqliteStore } from '../../src/storage/sqlite.js';
import { createConsoleSession } from './session.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      start: { type: 'string' },
      town: { type: 'string' },
      data: { type: 'string' },
    },
  });
  const store = values.data ? createSqliteStore({ dir: values.data }) : createMemoryStore();
  const engine = createDialogueEngine();
  const logger = createLogger({ level: 'silent' });
  let runtime: Runtime;
  if (values.data) {
    // The server on this data dir shares the salt the links are sealed with.
    const salt = process.env.OBSERVATORY_SALT?.trim();
    const secret = loadSalt({ ...(salt ? { configured: salt } : {}), dataDir: values.data }).salt;
    const publicUrl = process.env.PUBLIC_URL?.trim();
    const plans = createPlanService({
      store,
      secret,
      ...(publicUrl && /^https?:\/\//.test(publicUrl) ? { publicUrl } : {}),
    });
    runtime = withPlanLinks(createRuntime({ engine: withPlanLink(engine), store, logger }), plans);
  } else {
    runtime = createRuntime({ engine, store, logger });
  }
  const tty = Boolean(process.stdout.isTTY);
  const session = createConsoleSession({
    runtime,
    ...(values.start ? { start: values.start } : {}),
    ...(values.town ? { town: values.town } : {}),
    ansi: tty,
  });
  const write = (s: string) => process.stdout.write(`${s}\n\n`);
  // With a data dir and no deep link, pick up where the last session stopped.
  write(await (values.data && !values.start ? session.resume() : session.open()));
  const rl = createInterface({ input: process.stdin, terminal: tty });
  if (tty) process.stdout.write('> ');
  for await (const line of rl) {
    if (!tty) process.stdout.write(`> ${line}\n\n`);
    write(await session.send(line));
    if (tty) process.stdout.write('> ');
  }
  await runtime.close();
  await store.close();
}

main().catch((error: unknown) => {
  console.error(
    'Le terminal a rencontré une erreur :',
    error instanceof Error ? error.message : error,
  );
  process.exitCode = 1;
});
