/**
 * `npm run chat` — the dialogues in a terminal, no token needed. Options: `--start <entry>`
 * (objectif-3, fiche-<id>, diagnostic-commercant, diagnostic-territoire), `--town <name>`,
 * `--data <dir>` (SQLite store there; memory otherwise). Works with a pipe: one line per turn,
 * clean exit at end of input.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime/runtime.js';
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
  const runtime = createRuntime({
    engine: createDialogueEngine(),
    store,
    logger: createLogger({ level: 'silent' }),
  });
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
