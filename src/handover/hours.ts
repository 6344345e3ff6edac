/**
 * HANDOVER_HOURS: when the town team answers, in Europe/Paris time, e.g.
 * `lun-ven 09:00-18:00` or `lun-ven 09:00-12:00,14:00-18:00; sam 09:00-12:00`. Parsed once at
 * start-up (a bad value names itself), then asked « is it open now? » and « when does it open
 * next? » so that a person asking out of hours is told when to expect an answer.
 */

/** French day abbreviations, Monday first (index 0 = lundi). */
const DAYS = ['lun', 'mar', 'mer', 'jeu', 'ven', 'sam', 'dim'] as const;
const DAY_NAMES = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
const ZONE = 'Europe/Paris';

/** One opening window: a day (0 = lundi) and minutes since midnight, `from` < `to`. */
export interface OpeningWindow {
  readonly day: number;
  readonly from: number;
  readonly to: number;
}

/** Parsed opening hours. */
export interface OpeningHours {
  readonly windows: readonly OpeningWindow[];
  /** The text as configured, for logs and docs. */
  readonly source: string;
}

/** Thrown with a French-free, operator-facing explanation of what is wrong. */
export class HoursSyntaxError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'HoursSyntaxError';
  }
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

function minutes(text: string): number {
  const match = TIME.exec(text);
  if (!match) throw new HoursSyntaxError(`"${text}" is not a time like 09:00`);
  if (text === '24:00') return 24 * 60;
  return Number(match[1]) * 60 + Number(match[2]);
}

function dayIndex(text: string): number {
  const index = DAYS.indexOf(text.toLowerCase() as (typeof DAYS)[number]);
  if (index < 0) throw new HoursSyntaxError(`"${text}" is not a day among ${DAYS.join(' ')}`);
  return index;
}

function days(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a, b, extra] = part.split('-');
    if (a === undefined || extra !== undefined) throw new HoursSyntaxError(`bad days "${part}"`);
    const first = dayIndex(a.trim());
    const last = b === undefined ? first : dayIndex(b.trim());
    if (last < first) throw new HoursSyntaxError(`days "${part}" run backwards`);
    for (let d = first; d <= last; d++) out.push(d);
  }
  return out;
}

/** Parses HANDOVER_HOURS; throws {@link HoursSyntaxError}. */
export function parseOpeningHours(source: string): OpeningHours {
  const windows: OpeningWindow[] = [];
  for (const segment of source.split(';')) {
    const trimmed = segment.trim();
    if (trimmed === '') continue;
    const space = trimmed.indexOf(' ');
    if (space < 0) throw new HoursSyntaxError(`"${trimmed}" needs days then times`);
    const dayList = days(trimmed.slice(0, space));
    for (const range of trimmed.slice(space + 1).split(',')) {
      const [from, to, extra] = range.trim().split('-');
      if (from === undefined || to === undefined || extra !== undefined) {
        throw new HoursSyntaxError(`"${range.trim()}" is not a range like 09:00-18:00`);
      }
      const start = minutes(from);
      const end = minutes(to);
      if (end <= start) throw new HoursSyntaxError(`"${range.trim()}" ends before it starts`);
      for (const day of dayList) windows.push({ day, from: start, to: end });
    }
  }
  if (windows.length === 0) throw new HoursSyntaxError('no opening window');
  return { windows, source };
}

/** The Paris day (0 = lundi) and minute of the day at `at`. */
function parisClock(at: Date): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday'));
  return { day: weekday, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** True when `at` falls in an opening window (Paris time). */
export function isOpen(hours: OpeningHours, at: Date): boolean {
  const { day, minute } = parisClock(at);
  return hours.windows.some((w) => w.day === day && minute >= w.from && minute < w.to);
}

function hhmm(minute: number): string {
  const h = Math.floor(minute / 60);
  const m = minute % 60;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')}`;
}

/**
 * When the team is next there, in French (« aujourd’hui à 14 h », « demain à 9 h »,
 * « lundi à 9 h »), or undefined when `at` is already within the hours.
 */
export function nextOpening(hours: OpeningHours, at: Date): string | undefined {
  if (isOpen(hours, at)) return undefined;
  const { day, minute } = parisClock(at);
  for (let offset = 0; offset < 8; offset++) {
    const d = (day + offset) % 7;
    const starts = hours.windows
      .filter((w) => w.day === d && (offset > 0 || w.from > minute))
      .map((w) => w.from)
      .sort((a, b) => a - b);
    const first = starts[0];
    if (first === undefined) continue;
    const when = offset === 0 ? 'aujourd’hui' : offset === 1 ? 'demain' : DAY_NAMES[d];
    return `${when} à ${hhmm(first)}`;
  }
  return undefined;
}
