/**
 * Prometheus metrics written by hand (prom-client is not a dependency): turns per channel,
 * failed turns per channel and a turn-latency histogram, plus process memory. Fed by the
 * runtime's `onTurn` hook; rendered in the text exposition format at `GET /metrics`.
 */

/** Histogram bucket upper bounds, in seconds (turns are milliseconds; the tail matters). */
export const TURN_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** Time to the first human answer of a handover, in seconds (minutes to hours matter). */
export const FIRST_ANSWER_BUCKETS_SECONDS: readonly number[] = [
  30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 43_200, 86_400,
];

/** What happens to handover requests (issue 18). */
export const HANDOVER_EVENTS = [
  'requested',
  'taken',
  'closed',
  'timed_out',
  'relay_failed',
  'relay_retried',
  'relay_given_up',
  'rate_limited',
] as const;
export type HandoverEvent = (typeof HANDOVER_EVENTS)[number];

/** One finished turn, as reported by the runtime. */
export interface TurnObservation {
  readonly channel: string;
  readonly ms: number;
  readonly ok: boolean;
}

/** The metrics registry the server exposes. */
export interface Metrics {
  /** Records one turn (the runtime's `onTurn` hook). */
  observeTurn(observation: TurnObservation): void;
  /** Counts an HTTP response by status class, for error-rate alerts. */
  observeHttp(statusCode: number): void;
  /**
   * Counts an operational event (`rate_limit_fail_open`: a request let through while the
   * limiter's store was unreachable), as `ccv_events_total{event=…}`.
   */
  countEvent(event: string): void;
  /** Counts a handover event, as `ccv_handover_total{event=…}`. */
  countHandover(event: HandoverEvent): void;
  /** Records the time from a handover request to the team's first reply. */
  observeFirstAnswer(seconds: number): void;
  /** The whole registry in the Prometheus text format 0.0.4. */
  render(): string;
}

interface ChannelSeries {
  turns: number;
  errors: number;
  sum: number;
  buckets: number[];
}

/** Label values are channel names we choose, but escape anyway as the format requires. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function num(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : '-Inf';
}

/** Creates an empty registry; channels appear as soon as they report a turn. */
export function createMetrics(options: { channels?: readonly string[] } = {}): Metrics {
  const series = new Map<string, ChannelSeries>();
  const http = new Map<string, number>();
  const events = new Map<string, number>();
  const handovers = new Map<HandoverEvent, number>(HANDOVER_EVENTS.map((e) => [e, 0]));
  const firstAnswer = { count: 0, sum: 0, buckets: FIRST_ANSWER_BUCKETS_SECONDS.map(() => 0) };
  const started = Date.now();

  const seriesFor = (channel: string): ChannelSeries => {
    let s = series.get(channel);
    if (!s) {
      s = { turns: 0, errors: 0, sum: 0, buckets: TURN_BUCKETS_SECONDS.map(() => 0) };
      series.set(channel, s);
    }
    return s;
  };
  for (const channel of options.channels ?? []) seriesFor(channel);

  return {
    observeTurn({ channel, ms, ok }) {
      const s = seriesFor(channel);
      const seconds = Math.max(0, ms) / 1000;
      s.turns += 1;
      if (!ok) s.errors += 1;
      s.sum += seconds;
      for (let i = 0; i < TURN_BUCKETS_SECONDS.length; i++) {
        if (seconds <= (TURN_BUCKETS_SECONDS[i] ?? Number.POSITIVE_INFINITY)) {
          s.buckets[i] = (s.buckets[i] ?? 0) + 1;
        }
      }
    },

    observeHttp(statusCode) {
      const cls = `${Math.floor(statusCode / 100)}xx`;
      http.set(cls, (http.get(cls) ?? 0) + 1);
    },

    countEvent(event) {
      events.set(event, (events.get(event) ?? 0) + 1);
    },

    countHandover(event) {
      handovers.set(event, (handovers.get(event) ?? 0) + 1);
    },

    observeFirstAnswer(seconds) {
      const value = Math.max(0, seconds);
      firstAnswer.count += 1;
      firstAnswer.sum += value;
      FIRST_ANSWER_BUCKETS_SECONDS.forEach((le, i) => {
        if (value <= le) firstAnswer.buckets[i] = (firstAnswer.buckets[i] ?? 0) + 1;
      });
    },

    render() {
      const out: string[] = [];
      const channels = [...series.keys()].sort();

      out.push('# HELP ccv_turns_total Dialogue turns handled, per channel.');
      out.push('# TYPE ccv_turns_total counter');
      for (const c of channels)
        out.push(`ccv_turns_total{channel="${label(c)}"} ${series.get(c)?.turns ?? 0}`);

      out.push(
        '# HELP ccv_turn_errors_total Turns that failed and got the fallback answer, per channel.',
      );
      out.push('# TYPE ccv_turn_errors_total counter');
      for (const c of channels) {
        out.push(`ccv_turn_errors_total{channel="${label(c)}"} ${series.get(c)?.errors ?? 0}`);
      }

      out.push('# HELP ccv_turn_duration_seconds Time to handle one turn (lock to unlock).');
      out.push('# TYPE ccv_turn_duration_seconds histogram');
      for (const c of channels) {
        const s = series.get(c);
        if (!s) continue;
        const l = label(c);
        TURN_BUCKETS_SECONDS.forEach((le, i) => {
          out.push(
            `ccv_turn_duration_seconds_bucket{channel="${l}",le="${num(le)}"} ${s.buckets[i] ?? 0}`,
          );
        });
        out.push(`ccv_turn_duration_seconds_bucket{channel="${l}",le="+Inf"} ${s.turns}`);
        out.push(`ccv_turn_duration_seconds_sum{channel="${l}"} ${num(s.sum)}`);
        out.push(`ccv_turn_duration_seconds_count{channel="${l}"} ${s.turns}`);
      }

      out.push('# HELP ccv_http_responses_total HTTP responses by status class.');
      out.push('# TYPE ccv_http_responses_total counter');
      for (const cls of [...http.keys()].sort()) {
        out.push(`ccv_http_responses_total{class="${cls}"} ${http.get(cls) ?? 0}`);
      }

      out.push('# HELP ccv_events_total Operational events (e.g. rate limits failing open).');
      out.push('# TYPE ccv_events_total counter');
      for (const event of [...events.keys()].sort()) {
        out.push(`ccv_events_total{event="${label(event)}"} ${events.get(event) ?? 0}`);
      }

      out.push(
        '# HELP ccv_handover_total Requests to talk to the town team: requested, taken, closed, timed out (nobody took it in time, or out of hours), relays that failed, went through on a later try, were given up after their tries, were held by a rate limit.',
      );
      out.push('# TYPE ccv_handover_total counter');
      for (const [event, count] of handovers) {
        out.push(`ccv_handover_total{event="${event}"} ${count}`);
      }
      out.push(
        '# HELP ccv_handover_first_answer_seconds Time from a request to the first reply of the town team.',
      );
      out.push('# TYPE ccv_handover_first_answer_seconds histogram');
      FIRST_ANSWER_BUCKETS_SECONDS.forEach((le, i) => {
        out.push(
          `ccv_handover_first_answer_seconds_bucket{le="${num(le)}"} ${firstAnswer.buckets[i] ?? 0}`,
        );
      });
      out.push(`ccv_handover_first_answer_seconds_bucket{le="+Inf"} ${firstAnswer.count}`);
      out.push(`ccv_handover_first_answer_seconds_sum ${num(firstAnswer.sum)}`);
      out.push(`ccv_handover_first_answer_seconds_count ${firstAnswer.count}`);

      const mem = process.memoryUsage();
      out.push('# HELP process_resident_memory_bytes Resident memory size in bytes.');
      out.push('# TYPE process_resident_memory_bytes gauge');
      out.push(`process_resident_memory_bytes ${mem.rss}`);
      out.push('# HELP nodejs_heap_used_bytes V8 heap in use, in bytes.');
      out.push('# TYPE nodejs_heap_used_bytes gauge');
      out.push(`nodejs_heap_used_bytes ${mem.heapUsed}`);
      out.push('# HELP process_uptime_seconds Seconds since the registry was created.');
      out.push('# TYPE process_uptime_seconds gauge');
      out.push(`process_uptime_seconds ${num((Date.now() - started) / 1000)}`);
      return `${out.join('\n')}\n`;
    },
  };
}
