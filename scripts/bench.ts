/**
 * `npm run bench` — performance figures of SPEC §10 / issue 6, in one run, on this machine:
 *
 * 1. closed loop, maximum throughput: scripted full dialogues on the widget API (real dialogues,
 *    SQLite in a temp dir, rate limits off, 50 connections) and a bare fastify JSON route driven
 *    by the same load generator, in turn, three rounds; the ratio of the two medians (bar ≥ 0.4)
 *    and each round's own; the turn latency at that saturation is printed too, for information;
 * 2. paced (open loop): 50 connections each sending one message every PACE_MS, well below
 *    saturation — the p99 ≤ 25 ms bar is judged on this run (latency counted from the scheduled
 *    send time, so a slow answer cannot hide the requests queued behind it);
 * 3. in-process turns/s without HTTP;
 * 4. time from process start to `/readyz` answering (bar ≤ 1 s);
 * 5. RSS, heap and database size while 100 000 conversations (with their transcripts) are
 *    written through the store (bar: memory does not grow with the number of conversations);
 * 6. search latency (p50 / p99) over the dev questions, and the index build time.
 *
 * The server and the load generators are separate child processes of this script (two
 * generators of 25 connections each, node:http keep-alive, no autocannon); each reports the CPU
 * it used, so the output shows whether the generator or the server was the bottleneck. The
 * machine's load average is printed at the start and the end (a shared machine is noisy).
 * Loopback addresses only; every loop is bounded. Modes `--serve …`, `--load …` and `--memory`
 * are the child processes this script spawns for itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

/** A child mode of this script, with its JSON lines on stdout read one by one. */
interface SelfChild {
  readonly child: ChildProcess;
  readonly first: Record<string, unknown>;
  /** The next JSON line the child prints. */
  next(): Promise<Record<string, unknown>>;
}

/** Spawns this script in a child mode and waits for its first JSON line on stdout. */
async function spawnSelf(
  args: string[],
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<SelfChild> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', SELF, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  let failed: Error | undefined;
  const failers: ((error: Error) => void)[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue; // not one of our lines
      }
      const take = waiting.shift();
      if (take) {
        failers.shift();
        take(line);
      } else lines.push(line);
    }
  });
  child.once('exit', (code, signal) => {
    failed = new Error(`child ${args.join(' ')} exited with ${code ?? signal}`);
    for (const fail of failers.splice(0)) fail(failed);
    waiting.length = 0;
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolveLine, reject) => {
      const ready = lines.shift();
      if (ready) return resolveLine(ready);
      if (failed) return reject(failed);
      waiting.push(resolveLine);
      failers.push(reject);
    });
  // A server may log (JSON too) before it prints its port: wait for the line that has one.
  let first = await next();
  while (args[0] === '--serve' && first.port === undefined) first = await next();
  return { child, first, next };
}

/** What a server child reports on SIGUSR2. */
interface ServerReport {
  /** CPU time since the process started (user + system), and the system part, in ms. */
  readonly cpuMs: number;
  readonly sysMs: number;
  /** Server-side handling time of the message turns since the last report (ms). */
  readonly p50: number | null;
  readonly p99: number | null;
  /** The server's event-loop delay since the last report (ms): how long a ready request waited. */
  readonly lagP99: number;
  readonly lagMax: number;
}

/** Asks a server child for its CPU time and server-side turn times (SIGUSR2 → one JSON line). */
async function serverReport(server: SelfChild): Promise<ServerReport> {
  server.child.kill('SIGUSR2');
  let line = await server.next();
  while (line.cpuMs === undefined) line = await server.next();
  return line as unknown as ServerReport;
}

/** Server-side handling times (ms) since the last report, in a `--serve widget` child. */
const serverTimes: number[] = [];

/**
 * Answers SIGUSR2 with this process's CPU time (both threads: JS and SQLite's checkpointer) and
 * the server-side times of the message turns handled since the last report.
 */
function reportCpuOnSignal(): void {
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  process.on('SIGUSR2', () => {
    const c = process.cpuUsage();
    const times = serverTimes.splice(0).sort((a, b) => a - b);
    const report = {
      cpuMs: (c.user + c.system) / 1000,
      sysMs: c.system / 1000,
      p50: times.length > 0 ? percentile(times, 50) : null,
      p99: times.length > 0 ? percentile(times, 99) : null,
      lagP99: lag.percentile(99) / 1e6,
      lagMax: lag.max / 1e6,
    };
    lag.reset();
    process.stdout.write(`${JSON.stringify(report)}\n`);
  });
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

// === Load generation (runs in the `--load` child processes)

type WebReply = {
  text: string;
  buttons?: { label: string; action: string }[];
  cards?: { buttons?: { label: string; action: string }[] }[];
};

/** What one generator process reports. */
interface LoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  /** Latencies of the message turns (conversation creation excluded), or of every bare request. */
  turnLatencies: number[];
  /** CPU time this generator used, in ms (user + system). */
  cpuMs: number;
  /** This generator's own event-loop delay, p99 and max (ms): time it added to what it measured. */
  lagP99?: number;
  lagMax?: number;
}

/** Keep-alive connections, at most one per concurrent loop (node:http is lighter than fetch). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

async function timedPost(
  url: string,
  body: unknown,
  since?: number,
): Promise<{ status: number; json: unknown; ms: number }> {
  const t0 = since ?? performance.now();
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

const SCRIPT: readonly (string | RegExp | { text: string })[] = [
  'Commerçant·e',
  'Vendre par de nouveaux canaux',
  'Voir la fiche',
  'Détails',
  { text: 'les clients ne trouvent pas où se garer' },
  { text: 'menu' },
];

/** Requests of one scripted dialogue (creation + the script). */
const DIALOGUE_REQUESTS = 1 + SCRIPT.length;

/**
 * One scripted visitor: welcome → merchant → objective 5 → a fiche → details → free text → menu.
 * `wait` is called before each request and returns the time to count the latency from (the
 * scheduled send time in the paced run, so that queueing is counted).
 */
async function runDialogue(
  base: string,
  result: LoadResult,
  wait: () => Promise<number> = async () => performance.now(),
): Promise<void> {
  const created = await timedPost(`${base}/api/web/conversations`, {}, await wait());
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
  for (const step of SCRIPT) {
    // Like the widget, every message carries a fresh random clientMessageId (its retry key).
    const clientMessageId = randomUUID();
    const body =
      typeof step === 'object' && 'text' in step
        ? { text: step.text, clientMessageId }
        : (() => {
            const action = findAction(last, step);
            return action ? { action, clientMessageId } : { text: 'menu', clientMessageId };
          })();
    const res = await timedPost(
      `${base}/api/web/conversations/${conversationId}/messages`,
      body,
      await wait(),
    );
    result.requests++;
    result.turnLatencies.push(res.ms);
    if (res.status !== 200) {
      result.errors++;
      return;
    }
    last = (res.json as { messages: WebReply[] }).messages;
  }
}

/** One load loop: its index, the common start time, the result, and a guard for each unit. */
type Loop = (
  i: number,
  t0: number,
  result: LoadResult,
  unit: (work: () => Promise<void>) => Promise<void>,
) => Promise<void>;

/**
 * Runs `count` load loops at once and measures them: a unit that throws counts as an error, and
 * the wall time and CPU of the whole go in the result.
 */
async function measureLoops(count: number, loop: Loop): Promise<LoadResult> {
  const result: LoadResult = {
    requests: 0,
    errors: 0,
    elapsedMs: 0,
    turnLatencies: [],
    cpuMs: 0,
  };
  const unit = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch {
      result.errors++;
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => loop(i, t0, result, unit)));
  result.elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  return result;
}

/** Closed loop: `concurrency` loops, each starting its next unit as soon as the last ended. */
function closedLoop(
  concurrency: number,
  units: number,
  one: (result: LoadResult) => Promise<void>,
): Promise<LoadResult> {
  let next = 0;
  return measureLoops(concurrency, async (_i, _t0, result, unit) => {
    while (next < units) {
      next++;
      await unit(() => one(result));
    }
  });
}

/**
 * Open loop: each of `connections` loops sends one request every `paceMs` on a fixed schedule
 * (offsets spread over the period) for `durationMs`, running dialogues one after another.
 */
function pacedLoop(
  base: string,
  connections: number,
  paceMs: number,
  durationMs: number,
): Promise<LoadResult> {
  return measureLoops(connections, async (i, t0, result, unit) => {
    const end = t0 + durationMs;
    let due = t0 + (paceMs * i) / connections;
    const wait = async (): Promise<number> => {
      const at = due;
      due += paceMs;
      const delay = at - performance.now();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      return at;
    };
    while (due < end) {
      await unit(() => runDialogue(base, result, wait));
    }
  });
}

/** The `--load` child: runs one generator and prints its result as one JSON line. */
async function loadChild(args: readonly string[]): Promise<void> {
  const arg = (name: string) => args[args.indexOf(name) + 1] ?? '';
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const target = arg('--target');
  const connections = Number(arg('--connections'));
  let result: LoadResult;
  if (args.includes('--bare')) {
    const url = `${target}/echo`;
    result = await closedLoop(connections, Number(arg('--units')), async (r) => {
      const res = await timedPost(url, { text: 'bonjour' });
      r.requests++;
      r.turnLatencies.push(res.ms);
      if (res.status !== 200) r.errors++;
    });
  } else if (args.includes('--pace')) {
    result = await pacedLoop(target, connections, Number(arg('--pace')), Number(arg('--duration')));
  } else {
    result = await closedLoop(connections, Number(arg('--units')), (r) => runDialogue(target, r));
  }
  lag.disable();
  result.lagP99 = lag.percentile(99) / 1e6;
  result.lagMax = lag.max / 1e6;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  agent.destroy();
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
  reportCpuOnSignal();
  const { loadConfig } = await import('../src/config.js');
  const { createLogger } = await import('../src/logger.js');
  const { createDialogueEngine } = await import('../src/dialogue/index.js');
  const { composeApp } = await import('../src/app/compose.js');
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
  // Server-side time of each message turn (fastify's elapsedTime), reported with the CPU time.
  composed.app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'POST' && request.url.endsWith('/messages')) {
      serverTimes.push(reply.elapsedTime);
    }
  });
  await composed.app.listen({ port: 0, host: HOST });
  const address = composed.app.server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
  process.once('SIGTERM', () => void composed.close().then(() => process.exit(0)));
}

async function serveBare(): Promise<void> {
  reportCpuOnSignal();
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

  // A realistic conversation: the envelope and the transcript of a real two-turn web dialogue.
  const sampleKey = 'web:sample-conversation-0000';
  await runtime.turn(sampleKey, { type: 'start' }, { ...ctx, userRef: 'sample' });
  await runtime.turn(
    sampleKey,
    { type: 'text', text: 'je veux vendre en ligne' },
    { ...ctx, userRef: 'sample' },
  );
  const sample = (await store.conversations.get(sampleKey))?.data as Record<string, unknown>;
  const sampleTranscript = (await runtime.transcript(sampleKey)) ?? [];
  const envelopeBytes = JSON.stringify(sample).length;
  const transcriptBytes = JSON.stringify(sampleTranscript).length;
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
      { entries: sampleTranscript },
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
  process.stdout.write(
    `${JSON.stringify({ samples, writeMs, envelopeBytes, transcriptBytes, entries: sampleTranscript.length })}\n`,
  );
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

/** Connections of every HTTP run, split over the generator processes. */
const CONNECTIONS = 50;
const GENERATORS = 2;
/** Paced run: each connection sends one message every PACE_MS (offered load printed). */
const PACE_MS = 200;
const PACED_SECONDS = 20;

interface RunFigures {
  readonly requests: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly rps: number;
  /** Sorted latencies (ms). */
  readonly latencies: number[];
  /** Share of one core each side used during the run, and the server's kernel (system) part. */
  readonly serverCores: number;
  readonly serverSysCores: number;
  readonly generatorCores: number;
  /** Server-side handling time of the message turns (fastify's elapsedTime), widget only. */
  readonly serverP50: number | null;
  readonly serverP99: number | null;
  /** Event-loop delay p99 / max (ms) of the server and of the worst generator. */
  readonly serverLag: readonly [number, number];
  readonly generatorLag: readonly [number, number];
}

/** Closed-loop rounds of each side (widget, bare), driven in turn. */
const ROUNDS = 3;

/** The run with the median throughput (its latencies and CPU figures go with it). */
function medianRun(runs: readonly RunFigures[]): RunFigures {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error('no run');
  return median;
}

/** Runs the generator processes against a server child and merges what they report. */
async function drive(server: SelfChild, generatorArgs: (share: number) => string[]) {
  const before = await serverReport(server);
  const t0 = performance.now();
  const shares = Array.from(
    { length: GENERATORS },
    (_, g) => Math.floor(CONNECTIONS / GENERATORS) + (g < CONNECTIONS % GENERATORS ? 1 : 0),
  );
  const results = await Promise.all(
    shares.map(async (share) => {
      const gen = await spawnSelf(['--load', ...generatorArgs(share)]);
      await stopChild(gen.child);
      return gen.first as unknown as LoadResult;
    }),
  );
  const wallMs = performance.now() - t0;
  const after = await serverReport(server);
  const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const figures: RunFigures = {
    requests,
    errors: results.reduce((n, r) => n + r.errors, 0),
    elapsedMs,
    rps: (requests / elapsedMs) * 1000,
    latencies: results.flatMap((r) => r.turnLatencies).sort((a, b) => a - b),
    serverCores: (after.cpuMs - before.cpuMs) / wallMs,
    serverSysCores: (after.sysMs - before.sysMs) / wallMs,
    generatorCores: results.reduce((n, r) => n + r.cpuMs, 0) / wallMs,
    serverP50: after.p50,
    serverP99: after.p99,
    serverLag: [after.lagP99, after.lagMax],
    generatorLag: [
      Math.max(...results.map((r) => r.lagP99 ?? 0)),
      Math.max(...results.map((r) => r.lagMax ?? 0)),
    ],
  };
  return figures;
}

function latencyLine(f: RunFigures): string {
  const l = f.latencies;
  return `p50 ${ms(percentile(l, 50))}, p90 ${ms(percentile(l, 90))}, p99 ${ms(percentile(l, 99))}, max ${ms(l.at(-1) ?? Number.NaN)}`;
}

function cpuLine(f: RunFigures): string {
  return `CPU: server ${(f.serverCores * 100).toFixed(0)}% of a core (kernel ${(f.serverSysCores * 100).toFixed(0)}%), generators ${(f.generatorCores * 100).toFixed(0)}%`;
}

function lagLine(f: RunFigures): string {
  return `event-loop delay p99 / max: server ${ms(f.serverLag[0])} / ${ms(f.serverLag[1])}, generators ${ms(f.generatorLag[0])} / ${ms(f.generatorLag[1])}`;
}

function serverSideLine(f: RunFigures): string {
  return f.serverP50 === null || f.serverP99 === null
    ? ''
    : `; measured inside the server (fastify elapsedTime): p50 ${ms(f.serverP50)}, p99 ${ms(f.serverP99)}`;
}

function loadLine(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

/** Servers run as in production (the Dockerfile sets NODE_ENV=production). */
const PRODUCTION = { NODE_ENV: 'production' };
/**
 * Node flags of every server this script starts, the bare one included: those of the Dockerfile's
 * CMD and `npm start` (a larger young generation: fewer scavenges per request).
 */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'];

async function orchestrate(skip: ReadonlySet<string>): Promise<void> {
  const DIALOGUES = 2_000;
  const cores = cpus().length;
  console.log(`Clic Centre-Ville benchmark — Node ${process.version}, ${cores} CPU(s)`);
  console.log(`Load average at start (1, 5, 15 min): ${loadLine()}`);
  console.log(
    `Processes: one server, ${GENERATORS} load generators (${CONNECTIONS} keep-alive connections in all), this orchestrator idle; no pinning — they share the ${cores} cores, and each run prints the CPU each side used.\n`,
  );

  const perGenerator = (share: number) =>
    Math.max(1, Math.round((DIALOGUES * share) / CONNECTIONS));

  // --- 1. Closed loop, maximum throughput: widget API (full dialogues, SQLite) vs bare fastify.
  const dataDir = mkdtempSync(join(tmpdir(), 'ccv-bench-data-'));
  const widget = await spawnSelf(
    ['--serve', 'widget', '--data', dataDir],
    PRODUCTION,
    SERVER_NODE_FLAGS,
  );
  const widgetBase = `http://${HOST}:${widget.first.port}`;
  await drive(widget, (c) => ['--target', widgetBase, '--connections', `${c}`, '--units', '100']); // warm-up
  const bare = await spawnSelf(['--serve', 'bare'], PRODUCTION, SERVER_NODE_FLAGS);
  const bareBase = `http://${HOST}:${bare.first.port}`;
  const bareArgs = (units: number) => (c: number) => [
    '--bare',
    '--target',
    bareBase,
    '--connections',
    `${c}`,
    '--units',
    `${Math.round((units * c) / CONNECTIONS)}`,
  ];
  await drive(bare, bareArgs(2_000)); // warm-up
  // Both servers stay up (the idle one costs nothing) and are driven in turn, ROUNDS times: a
  // shared machine's speed drifts within seconds, so each side's median is compared, and every
  // round's own ratio is printed. The bare runs are given 4× the requests so that they last
  // about as long as the widget's: each run starts fresh generator processes, and a run of
  // about a second (as the bare one was before) is mostly their warm-up, which understated
  // bare fastify by a third or more.
  const widgetRuns: RunFigures[] = [];
  const bareRuns: RunFigures[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    widgetRuns.push(
      await drive(widget, (c) => [
        '--target',
        widgetBase,
        '--connections',
        `${c}`,
        '--units',
        `${perGenerator(c)}`,
      ]),
    );
    bareRuns.push(await drive(bare, bareArgs(4 * (widgetRuns[round]?.requests ?? 0))));
  }
  await stopChild(bare.child);
  const closed = medianRun(widgetRuns);
  const bareRun = medianRun(bareRuns);

  // --- 2. Paced, open loop, on the same warm server: well below saturation.
  const paced = await drive(widget, (c) => [
    '--target',
    widgetBase,
    '--connections',
    `${c}`,
    '--pace',
    `${PACE_MS}`,
    '--duration',
    `${PACED_SECONDS * 1000}`,
  ]);
  await stopChild(widget.child);
  rmSync(dataDir, { recursive: true, force: true });

  // The same API with a no-op dialogue and the memory store: the cost of the HTTP layer alone.
  const noopDir = mkdtempSync(join(tmpdir(), 'ccv-bench-noop-'));
  const noop = await spawnSelf(
    ['--serve', 'widget-noop', '--data', noopDir],
    PRODUCTION,
    SERVER_NODE_FLAGS,
  );
  const noopBase = `http://${HOST}:${noop.first.port}`;
  await drive(noop, (c) => ['--target', noopBase, '--connections', `${c}`, '--units', '100']);
  const noopRun = await drive(noop, (c) => [
    '--target',
    noopBase,
    '--connections',
    `${c}`,
    '--units',
    `${perGenerator(c)}`,
  ]);
  await stopChild(noop.child);
  rmSync(noopDir, { recursive: true, force: true });

  const ratio = closed.rps / bareRun.rps;
  console.log(
    `1. Closed loop, maximum throughput (${CONNECTIONS} connections, each sends its next request as soon as it has the answer), ${ROUNDS} rounds, widget then bare in each:`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    const w = widgetRuns[round];
    const b = bareRuns[round];
    if (!w || !b) continue;
    console.log(
      `  round ${round + 1}: widget ${w.requests} requests in ${(w.elapsedMs / 1000).toFixed(2)} s, ${w.errors} errors → ${w.rps.toFixed(0)} requests/s (${cpuLine(w)}); bare ${b.requests} requests in ${(b.elapsedMs / 1000).toFixed(2)} s, ${b.errors} errors → ${b.rps.toFixed(0)} requests/s (${cpuLine(b)}); ratio ${(w.rps / b.rps).toFixed(2)}`,
    );
  }
  console.log(
    `  Widget API, scripted full dialogues (${DIALOGUE_REQUESTS} requests each), SQLite, median of ${ROUNDS}: ${closed.rps.toFixed(0)} requests/s`,
  );
  console.log(
    `  Bare fastify JSON route, same generators, median of ${ROUNDS}: ${bareRun.rps.toFixed(0)} requests/s`,
  );
  console.log(
    `  ratio of the medians widget / bare = ${ratio.toFixed(2)}  ${bar(ratio >= 0.4)} bar ≥ 0.4`,
  );
  console.log(
    `  Widget API, no-op dialogue + memory store (the HTTP layer alone): ${noopRun.rps.toFixed(0)} requests/s, ratio to bare ${(noopRun.rps / bareRun.rps).toFixed(2)}  (${cpuLine(noopRun)})`,
  );
  console.log(
    `  Turn latency AT SATURATION (information, not the bar): widget ${latencyLine(closed)}${serverSideLine(closed)}; ${lagLine(closed)}; bare ${latencyLine(bareRun)}`,
  );
  const offered = (CONNECTIONS * 1000) / PACE_MS;
  const p99 = percentile(paced.latencies, 99);
  console.log(
    `\n2. Paced load, open loop: ${CONNECTIONS} connections, each sends one message every ${PACE_MS} ms for ${PACED_SECONDS} s → offered ${offered.toFixed(0)} requests/s (${((offered / closed.rps) * 100).toFixed(0)}% of the saturation throughput above); latency counted from the scheduled send time:`,
  );
  console.log(
    `  ${paced.requests} requests, ${paced.errors} errors, achieved ${paced.rps.toFixed(0)} requests/s  (${cpuLine(paced)})`,
  );
  console.log(
    `  Turn latency (message turns, as the clients see it): ${latencyLine(paced)}  ${bar(p99 <= 25)} bar p99 ≤ 25 ms at ${CONNECTIONS} concurrent connections (judged on this paced run)`,
  );
  console.log(`  ${serverSideLine(paced).slice(2)}; ${lagLine(paced)}\n`);

  // --- 3: in-process turns/s, no HTTP.
  if (!skip.has('inproc')) {
    const { createSqliteStore } = await import('../src/storage/sqlite.js');
    const { createMemoryStore } = await import('../src/storage/memory.js');
    const { createDialogueEngine } = await import('../src/dialogue/index.js');
    const { createRuntime } = await import('../src/runtime/runtime.js');
    const { createLogger } = await import('../src/logger.js');
    type Event = import('../src/runtime/types.js').InboundEvent;
    const script: Event[] = [
      { type: 'action', action: 'aud:commercant' },
      { type: 'action', action: 'obj:o5' },
      { type: 'text', text: 'menu' },
      { type: 'text', text: 'je veux vendre en ligne' },
      { type: 'text', text: 'menu' },
      { type: 'text', text: 'stationnement' },
    ];
    const engine = createDialogueEngine();
    const CONVERSATIONS = 1_000;
    /** Mean ms per turn of `CONVERSATIONS` scripted conversations, after a warm-up. */
    /** Mean ms per turn; `parallel` conversations at a time (1: strictly sequential). */
    const timeTurns = async (
      turn: (key: string, event: Event, c: number) => Promise<unknown>,
      parallel = 1,
    ) => {
      const run = async (tag: string, count: number) => {
        const t0 = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: parallel }, async () => {
            for (let c = next++; c < count; c = next++) {
              const key = `web:${tag}-${c}`;
              await turn(key, { type: 'start' }, c);
              for (const event of script) await turn(key, event, c);
            }
          }),
        );
        return (performance.now() - t0) / (count * (1 + script.length));
      };
      await run('warm', 200);
      return run('run', CONVERSATIONS);
    };
    const withStore = async (
      name: string,
      store: import('../src/storage/types.js').Store,
      parallel = 1,
    ) => {
      const runtime = createRuntime({ engine, store, logger: createLogger({ level: 'silent' }) });
      const mean = await timeTurns(
        (key, event, c) =>
          runtime.turn(key, event, { channel: 'web', userRef: `u-${c}`, now: new Date() }),
        parallel,
      );
      await runtime.close();
      await store.close();
      return { name, mean };
    };
    const dir = mkdtempSync(join(tmpdir(), 'ccv-bench-inproc-'));
    const sqlite = await withStore('SQLite', createSqliteStore({ dir }));
    rmSync(dir, { recursive: true, force: true });
    // 50 conversations at a time: their writes share group commits, as under HTTP load.
    const dir50 = mkdtempSync(join(tmpdir(), 'ccv-bench-inproc-'));
    const sqlite50 = await withStore('SQLite ×50', createSqliteStore({ dir: dir50 }), 50);
    rmSync(dir50, { recursive: true, force: true });
    const memory = await withStore('memory store', createMemoryStore());
    // The engine alone, same script: what a turn costs before the runtime and the store.
    const snapshots = new Map<string, unknown>();
    const engineMean = await timeTurns(async (key, event, c) => {
      const ctx = { channel: 'web' as const, userRef: `u-${c}`, now: new Date() };
      const prior = snapshots.get(key);
      const result =
        event.type === 'start' || prior === undefined
          ? engine.start({ type: 'start' }, ctx)
          : engine.step(prior, event, ctx);
      snapshots.set(key, result.snapshot);
    });
    console.log(
      `3. In-process turns without HTTP (runtime + real dialogues, ${CONVERSATIONS * (1 + script.length)} turns each; sequential unless ×50 = 50 conversations at a time):`,
    );
    for (const r of [sqlite, sqlite50, memory]) {
      console.log(
        `  ${r.name.padEnd(13)} ${(1000 / r.mean).toFixed(0).padStart(5)} turns/s, ${ms(r.mean)} per turn, of which runtime + store ${ms(r.mean - engineMean)}`,
      );
    }
    console.log(
      `  engine alone  ${(1000 / engineMean).toFixed(0).padStart(5)} steps/s, ${ms(engineMean)} per step (restore the snapshot, pure transition, getPersistedSnapshot, render)\n`,
    );
  }

  // --- 4: start-up to /readyz.
  if (!skip.has('startup')) {
    console.log('4. Start-up: process spawn → GET /readyz answers 200 (3 runs each):');
    const fromSource = await measureStartup(
      [...SERVER_NODE_FLAGS, '--import', 'tsx', 'src/main.ts'],
      `node ${SERVER_NODE_FLAGS.join(' ')} --import tsx src/main.ts (npm start)`,
    );
    let best = Math.min(...fromSource);
    const dist = join(ROOT, 'dist', 'src', 'main.js');
    try {
      const built = statSync(dist).mtimeMs;
      const newest = Math.max(
        ...[
          'src/main.ts',
          'src/runtime/runtime.ts',
          'src/dialogue/engine.ts',
          'src/storage/sqlite.ts',
        ].map((f) => statSync(join(ROOT, f)).mtimeMs),
      );
      if (newest > built)
        console.log('  (dist/ is older than the sources: run npm run build first)');
      const fromDist = await measureStartup(
        [...SERVER_NODE_FLAGS, dist],
        `node ${SERVER_NODE_FLAGS.join(' ')} dist/src/main.js (npm run build)`,
      );
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
      `5. Memory while 100 000 conversations are written through the SQLite store, each with the transcript of a real two-turn web dialogue (envelope ${first.envelopeBytes} bytes, transcript ${first.entries} entries / ${first.transcriptBytes} bytes as JSON), after GC:`,
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
    const questions = readFileSync(join(ROOT, 'scripts', 'data', 'questions-dev.tsv'), 'utf8')
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
      `6. Search over ${questions.length} dev questions × 50 (index built in ${search.buildMs.toFixed(0)} ms):`,
    );
    console.log(`  p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}`);
  }
  console.log(`\nLoad average at end (1, 5, 15 min): ${loadLine()}`);
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
} else if (args[0] === '--load') {
  await loadChild(args);
} else {
  // `--skip inproc,startup,memory` shortens a run while tuning; `npm run bench` runs everything.
  const skipIndex = args.indexOf('--skip');
  await orchestrate(new Set(skipIndex >= 0 ? (args[skipIndex + 1] ?? '').split(',') : []));
}
