/**
 * `npm run bench` — performance figures of SPEC §10 / issue 6, in one run, on this machine:
 *
 * 1. requests/s of scripted full dialogues on the widget API (real dialogues, SQLite in a temp
 *    dir, rate limits off, 50 concurrent connections) and of a bare fastify JSON route, both
 *    served by a child process of this script, and their ratio (bar ≥ 0.4);
 * 2. p50 / p99 latency of one turn over HTTP at 50 concurrent connections (bar p99 ≤ 25 ms);
 * 3. in-process turns/s without HTTP;
 * 4. time from process start to `/readyz` answering (bar ≤ 1 s);
 * 5. RSS, heap and database size while 100 000 conversations are written through the store
 *    (bar: memory does not grow with the number of stored conversations);
 * 6. search latency (p50 / p99) over the dev questions.
 *
 * Loopback addresses only; every loop is bounded. The load generator is a small keep-alive loop
 * on Node's fetch (no autocannon). Modes `--serve widget|bare` and `--memory` are the child
 * processes this script spawns for itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const HOST = '127.0.0.1';

// === Small helpers

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function bar(ok: boolean): string {
  return ok ? '✓' : '✗';
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Spawns this script in a child mode and waits for its first JSON line on stdout. */
async function spawnSelf(
  args: string[],
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', SELF, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<Record<string, unknown>>((resolveLine, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        child.stdout?.off('data', onData);
        try {
          resolveLine(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        } catch (error) {
          reject(error);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child ${args.join(' ')} exited with ${code}`)));
  });
  return { child, first };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((done) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

// === Load generation

type WebReply = {
  text: string;
  buttons?: { label: string; action: string }[];
  cards?: { buttons?: { label: string; action: string }[] }[];
};

interface LoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  /** Latencies of the message turns (conversation creation excluded). */
  turnLatencies: number[];
}

/** Keep-alive connections, at most one per concurrent worker (node:http is lighter than fetch). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

async function timedPost(
  url: string,
  body: unknown,
): Promise<{ status: number; json: unknown; ms: number }> {
  const t0 = performance.now();
  const payload = Buffer.from(JSON.stringify(body));
  const target = new URL(url);
  return new Promise((resolveRes, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
            resolveRes({ status: res.statusCode ?? 0, json, ms: performance.now() - t0 });
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function findAction(messages: readonly WebReply[], label: string | RegExp): string | undefined {
  for (const m of messages) {
    const all = [...(m.cards ?? []).flatMap((c) => c.buttons ?? []), ...(m.buttons ?? [])];
    const hit = all.find((b) =>
      typeof label === 'string' ? b.label === label : label.test(b.label),
    );
    if (hit) return hit.action;
  }
  return undefined;
}

/** One scripted visitor: welcome → merchant → objective 5 → a fiche → details → free text → menu. */
async function runDialogue(base: string, result: LoadResult): Promise<void> {
  const created = await timedPost(`${base}/api/web/conversations`, {});
  result.requests++;
  if (created.status !== 201) {
    result.errors++;
    return;
  }
  const { conversationId, messages } = created.json as {
    conversationId: string;
    messages: WebReply[];
  };
  let last = messages;
  const steps: (string | RegExp | { text: string })[] = [
    'Commerçant·e',
    'Vendre par de nouveaux canaux',
    'Voir la fiche',
    'Détails',
    { text: 'les clients ne trouvent pas où se garer' },
    { text: 'menu' },
  ];
  for (const step of steps) {
    const body =
      typeof step === 'object' && 'text' in step
        ? { text: step.text }
        : (() => {
            const action = findAction(last, step);
            return action ? { action } : { text: 'menu' };
          })();
    const res = await timedPost(`${base}/api/web/conversations/${conversationId}/messages`, body);
    result.requests++;
    result.turnLatencies.push(res.ms);
    if (res.status !== 200) {
      result.errors++;
      return;
    }
    last = (res.json as { messages: WebReply[] }).messages;
  }
}

async function runLoad(
  concurrency: number,
  total: number,
  one: (result: LoadResult) => Promise<void>,
): Promise<LoadResult> {
  const result: LoadResult = { requests: 0, errors: 0, elapsedMs: 0, turnLatencies: [] };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        try {
          await one(result);
        } catch {
          result.errors++;
        }
      }
    }),
  );
  result.elapsedMs = performance.now() - t0;
  return result;
}

// === Child modes

/** A dialogue that does nothing: measures the HTTP layer alone (fastify, zod, CORS, limits). */
function noopEngine(): import('../src/runtime/types.js').DialogueEngine {
  const reply = {
    text: 'Bonjour',
    blocks: [{ type: 'paragraph' as const, spans: [{ text: 'Bonjour' }] }],
    buttons: [{ label: 'Menu', action: 'nav:menu' }],
  };
  return {
    flowId: 'noop',
    version: 1,
    start: () => ({ snapshot: { n: 0 }, replies: [reply] }),
    step: () => ({ snapshot: { n: 0 }, replies: [reply] }),
  };
}

async function serveWidget(dataDir: string, noop = false): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { createLogger } = await import('../src/logger.js');
  const { createDialogueEngine } = await import('../src/dialogue/index.js');
  const { composeApp } = await import('../src/server/compose.js');
  const { createSqliteStore } = await import('../src/storage/sqlite.js');
  const config = loadConfig({
    WEB_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
  });
  const { createMemoryStore } = await import('../src/storage/memory.js');
  const composed = await composeApp(config, {
    engine: noop ? noopEngine() : createDialogueEngine(),
    store: noop ? createMemoryStore() : createSqliteStore({ dir: dataDir }),
    logger: createLogger({ level: 'warn' }),
  });
  await composed.app.listen({ port: 0, host: HOST });
  const address = composed.app.server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
  process.once('SIGTERM', () => void composed.close().then(() => process.exit(0)));
}

async function serveBare(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.post('/echo', async () => ({
    messages: [{ text: 'Bonjour', buttons: [{ label: 'Menu', action: 'nav:menu' }] }],
  }));
  await app.listen({ port: 0, host: HOST });
  const address = app.server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

/** Writes 100 000 conversations through the store and samples memory along the way. */
async function memoryChild(dataDir: string): Promise<void> {
  const { createSqliteStore, SQLITE_FILE_NAME } = await import('../src/storage/sqlite.js');
  const { createDialogueEngine } = await import('../src/dialogue/index.js');
  const { createRuntime } = await import('../src/runtime/runtime.js');
  const { createLogger } = await import('../src/logger.js');
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const store = createSqliteStore({ dir: dataDir });
  const engine = createDialogueEngine();
  const runtime = createRuntime({ engine, store, logger: createLogger({ level: 'silent' }) });
  const ctx = { channel: 'web' as const, userRef: 'bench', now: new Date() };

  // A realistic envelope: the snapshot and transcript of a real two-turn conversation.
  const sampleKey = 'web:sample-conversation-0000';
  await runtime.turn(sampleKey, { type: 'start' }, { ...ctx, userRef: 'sample' });
  await runtime.turn(
    sampleKey,
    { type: 'text', text: 'je veux vendre en ligne' },
    { ...ctx, userRef: 'sample' },
  );
  const sample = (await store.conversations.get(sampleKey))?.data as Record<string, unknown>;
  const dbFile = join(dataDir, SQLITE_FILE_NAME);
  const size = () => {
    let total = 0;
    for (const f of [dbFile, `${dbFile}-wal`]) {
      try {
        total += statSync(f).size;
      } catch {
        // no WAL yet
      }
    }
    return total;
  };
  const samples: { stored: number; rss: number; heapUsed: number; dbBytes: number }[] = [];
  const sampleNow = (stored: number) => {
    gc();
    const m = process.memoryUsage();
    samples.push({ stored, rss: m.rss, heapUsed: m.heapUsed, dbBytes: size() });
  };
  const now = Date.now();
  const TOTAL = 100_000;
  const checkpoints = new Set([1_000, 25_000, 50_000, 75_000, 100_000]);
  const t0 = performance.now();
  for (let i = 1; i <= TOTAL; i++) {
    const id = `bench-${i.toString(36).padStart(8, '0')}`;
    await store.conversations.put(
      {
        ...(sample as object),
        key: `web:${id}`,
        channel: 'web',
        userRef: id,
        revision: 1,
        createdAt: now,
        updatedAt: now,
        expiresAt: now + 30 * 86_400_000,
      } as Parameters<typeof store.conversations.put>[0],
      0,
    );
    if (checkpoints.has(i)) sampleNow(i);
  }
  const writeMs = performance.now() - t0;
  // Then turns on random stored conversations: memory must stay flat too.
  for (let i = 0; i < 2_000; i++) {
    const id = `bench-${(1 + Math.floor(Math.random() * TOTAL)).toString(36).padStart(8, '0')}`;
    await runtime.turn(`web:${id}`, { type: 'text', text: 'menu' }, { ...ctx, userRef: id });
  }
  sampleNow(TOTAL);
  await runtime.close();
  await store.close();
  process.stdout.write(`${JSON.stringify({ samples, writeMs })}\n`);
}

// === The orchestrator

async function measureStartup(entry: string[], label: string): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'ccv-bench-start-'));
    const port = await freePort();
    const t0 = performance.now();
    const child = spawn(process.execPath, entry, {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    let elapsed = Number.NaN;
    for (let i = 0; i < 2_000; i++) {
      try {
        const res = await fetch(`http://${HOST}:${port}/readyz`);
        if (res.status === 200) {
          elapsed = performance.now() - t0;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    times.push(elapsed);
  }
  console.log(`  ${label}: ${times.map((t) => ms(t)).join(', ')}`);
  return times;
}

async function orchestrate(skip: ReadonlySet<string>): Promise<void> {
  const CONCURRENCY = 50;
  const DIALOGUES = 2_000;
  console.log(
    `Clic Centre-Ville benchmark — Node ${process.version}, ${(await import('node:os')).cpus().length} CPU(s)\n`,
  );

  // --- 1 & 2: widget API vs bare fastify, 50 concurrent connections.
  const dataDir = mkdtempSync(join(tmpdir(), 'ccv-bench-data-'));
  const widget = await spawnSelf(['--serve', 'widget', '--data', dataDir]);
  const widgetBase = `http://${HOST}:${widget.first.port}`;
  await runLoad(CONCURRENCY, 200, (r) => runDialogue(widgetBase, r)); // warm-up
  const dialogue = await runLoad(CONCURRENCY, DIALOGUES, (r) => runDialogue(widgetBase, r));
  await stopChild(widget.child);
  rmSync(dataDir, { recursive: true, force: true });

  const bare = await spawnSelf(['--serve', 'bare']);
  const bareUrl = `http://${HOST}:${bare.first.port}/echo`;
  const bareOne = async (r: LoadResult) => {
    const res = await timedPost(bareUrl, { text: 'bonjour' });
    r.requests++;
    r.turnLatencies.push(res.ms);
    if (res.status !== 200) r.errors++;
  };
  await runLoad(CONCURRENCY, 2_000, bareOne); // warm-up
  const bareRun = await runLoad(CONCURRENCY, dialogue.requests, bareOne);
  await stopChild(bare.child);

  // The same API with a no-op dialogue and the memory store: the cost of the HTTP layer alone.
  const noopDir = mkdtempSync(join(tmpdir(), 'ccv-bench-noop-'));
  const noop = await spawnSelf(['--serve', 'widget-noop', '--data', noopDir]);
  const noopBase = `http://${HOST}:${noop.first.port}`;
  await runLoad(CONCURRENCY, 200, (r) => runDialogue(noopBase, r)); // warm-up
  const noopRun = await runLoad(CONCURRENCY, DIALOGUES, (r) => runDialogue(noopBase, r));
  await stopChild(noop.child);
  rmSync(noopDir, { recursive: true, force: true });

  const widgetRps = (dialogue.requests / dialogue.elapsedMs) * 1000;
  const bareRps = (bareRun.requests / bareRun.elapsedMs) * 1000;
  const ratio = widgetRps / bareRps;
  const lat = [...dialogue.turnLatencies].sort((a, b) => a - b);
  const bareLat = [...bareRun.turnLatencies].sort((a, b) => a - b);
  console.log(
    'Widget API, scripted full dialogues (7 requests each), 50 concurrent connections, SQLite:',
  );
  console.log(
    `  ${dialogue.requests} requests in ${(dialogue.elapsedMs / 1000).toFixed(2)} s, ${dialogue.errors} errors → ${widgetRps.toFixed(0)} requests/s`,
  );
  console.log('Bare fastify JSON route, same load generator:');
  console.log(
    `  ${bareRun.requests} requests in ${(bareRun.elapsedMs / 1000).toFixed(2)} s, ${bareRun.errors} errors → ${bareRps.toFixed(0)} requests/s (p50 ${ms(percentile(bareLat, 50))}, p99 ${ms(percentile(bareLat, 99))})`,
  );
  console.log(`  ratio widget / bare = ${ratio.toFixed(2)}  ${bar(ratio >= 0.4)} bar ≥ 0.4`);
  const noopRps = (noopRun.requests / noopRun.elapsedMs) * 1000;
  const noopLat = [...noopRun.turnLatencies].sort((a, b) => a - b);
  console.log('Widget API with a no-op dialogue and the memory store (the HTTP layer alone):');
  console.log(
    `  ${noopRps.toFixed(0)} requests/s, ratio to bare ${(noopRps / bareRps).toFixed(2)}, turn p50 ${ms(percentile(noopLat, 50))}, p99 ${ms(percentile(noopLat, 99))}`,
  );
  const p99 = percentile(lat, 99);
  console.log('Turn latency over HTTP (message turns, 50 concurrent connections):');
  console.log(
    `  p50 ${ms(percentile(lat, 50))}, p90 ${ms(percentile(lat, 90))}, p99 ${ms(p99)}  ${bar(p99 <= 25)} bar p99 ≤ 25 ms\n`,
  );

  // --- 3: in-process turns/s, no HTTP.
  if (!skip.has('inproc')) {
    const { createSqliteStore } = await import('../src/storage/sqlite.js');
    const { createDialogueEngine } = await import('../src/dialogue/index.js');
    const { createRuntime } = await import('../src/runtime/runtime.js');
    const { createLogger } = await import('../src/logger.js');
    const dir = mkdtempSync(join(tmpdir(), 'ccv-bench-inproc-'));
    const store = createSqliteStore({ dir });
    const runtime = createRuntime({
      engine: createDialogueEngine(),
      store,
      logger: createLogger({ level: 'silent' }),
    });
    const script = [
      'aud:commercant',
      'obj:o5',
      'menu',
      'je veux vendre en ligne',
      'menu',
      'stationnement',
    ];
    let turns = 0;
    const t0 = performance.now();
    for (let c = 0; c < 1_000; c++) {
      const key = `web:inproc-${c}`;
      const ctx = { channel: 'web' as const, userRef: `inproc-${c}`, now: new Date() };
      await runtime.turn(key, { type: 'start' }, ctx);
      turns++;
      for (const s of script) {
        await runtime.turn(
          key,
          s.includes(':') ? { type: 'action', action: s } : { type: 'text', text: s },
          ctx,
        );
        turns++;
      }
    }
    const elapsed = performance.now() - t0;
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    console.log('In-process turns without HTTP (runtime + real dialogues + SQLite, sequential):');
    console.log(
      `  ${turns} turns in ${(elapsed / 1000).toFixed(2)} s → ${((turns / elapsed) * 1000).toFixed(0)} turns/s\n`,
    );
  }

  // --- 4: start-up to /readyz.
  if (!skip.has('startup')) {
    console.log('Start-up: process spawn → GET /readyz answers 200 (3 runs each):');
    const fromSource = await measureStartup(
      ['--import', 'tsx', 'src/main.ts'],
      'node --import tsx src/main.ts',
    );
    let best = Math.min(...fromSource);
    const dist = join(ROOT, 'dist', 'src', 'main.js');
    try {
      statSync(dist);
      const fromDist = await measureStartup([dist], 'node dist/src/main.js (npm run build)');
      best = Math.min(...fromDist);
      console.log(`  ${bar(Math.max(...fromDist) <= 1000)} bar ≤ 1 s (built server)\n`);
    } catch {
      console.log(
        `  ${bar(Math.max(...fromSource) <= 1000)} bar ≤ 1 s (from source; run npm run build to measure dist/)\n`,
      );
    }
    void best;
  }

  // --- 5: memory with 100 000 stored conversations.
  if (!skip.has('memory')) {
    const dir = mkdtempSync(join(tmpdir(), 'ccv-bench-mem-'));
    const t0 = performance.now();
    const { child, first } = await spawnSelf(['--memory', '--data', dir], {}, ['--expose-gc']);
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    const samples = first.samples as {
      stored: number;
      rss: number;
      heapUsed: number;
      dbBytes: number;
    }[];
    console.log(
      'Memory while 100 000 conversations are written through the SQLite store (after GC):',
    );
    for (const [i, s] of samples.entries()) {
      const label =
        i === samples.length - 1
          ? 'then 2 000 turns on random ones'
          : `${s.stored.toLocaleString('en')} stored`;
      console.log(
        `  ${label.padEnd(32)} RSS ${mb(s.rss).padStart(9)}   heap ${mb(s.heapUsed).padStart(8)}   database ${mb(s.dbBytes)}`,
      );
    }
    const firstSample = samples[0];
    const lastSample = samples.at(-1);
    if (firstSample && lastSample) {
      const heapGrowth = lastSample.heapUsed - firstSample.heapUsed;
      const rssGrowth = lastSample.rss - firstSample.rss;
      const ok = heapGrowth < 16 * 1024 * 1024;
      console.log(
        `  heap growth ${mb(heapGrowth)}, RSS growth ${mb(rssGrowth)} (SQLite page cache is bounded) — ${bar(ok)} memory does not grow with stored conversations`,
      );
    }
    console.log(
      `  (${((performance.now() - t0) / 1000).toFixed(1)} s, writes ${(((first.writeMs as number) ?? 0) / 1000).toFixed(1)} s)\n`,
    );
  }

  // --- 6: search latency.
  {
    const { createSearch } = await import('../src/understand/index.js');
    const { getCatalog } = await import('../catalog/load.js');
    const search = createSearch(getCatalog());
    const questions = readFileSync(join(ROOT, '..', 'shared', 'eval', 'questions-dev.tsv'), 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0] ?? '')
      .filter(Boolean);
    const times: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (const q of questions) {
        const t0 = performance.now();
        search.search(q);
        times.push(performance.now() - t0);
      }
    }
    times.sort((a, b) => a - b);
    console.log(
      `Search over ${questions.length} dev questions × 50 (index built in ${search.buildMs.toFixed(0)} ms):`,
    );
    console.log(`  p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}`);
  }
}

// === Entry

const args = process.argv.slice(2);
const dataIndex = args.indexOf('--data');
const dataArg = dataIndex >= 0 ? args[dataIndex + 1] : undefined;
if (args[0] === '--serve' && args[1] === 'widget' && dataArg) {
  await serveWidget(dataArg);
} else if (args[0] === '--serve' && args[1] === 'widget-noop' && dataArg) {
  await serveWidget(dataArg, true);
} else if (args[0] === '--serve' && args[1] === 'bare') {
  await serveBare();
} else if (args[0] === '--memory' && dataArg) {
  await memoryChild(dataArg);
} else {
  // `--skip inproc,startup,memory` shortens a run while tuning; `npm run bench` runs everything.
  const skipIndex = args.indexOf('--skip');
  await orchestrate(new Set(skipIndex >= 0 ? (args[skipIndex + 1] ?? '').split(',') : []));
}
