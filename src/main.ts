/**
 * The server's entry point (`npm start`, `node dist/src/main.js`): everything it starts is wired
 * in the composition root, `src/app/main.ts`. A failure to start is one line on stderr, exit 1.
 */
import { main } from './app/main.js';

main().catch((error: unknown) => {
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | undefined)?.code;
  console.error(
    `Clic Centre-Ville could not start (${name}${typeof code === 'string' ? `: ${code}` : ''}).`,
  );
  if (error instanceof Error && error.stack) console.error(error.stack);
  process.exit(1);
});
