/**
 * The charts of the plan and observatory pages: inline SVG written on the server, with no chart
 * library and no request of any kind. Each chart is an `img` for assistive technologies, titled
 * with a sentence that holds the same figures (the pages show them in a table too). Lengths are
 * plain numbers on a fixed scale, so a test can read a bar back: a share `v` is a bar `v × SCALE`
 * wide, and the guide's line sits at `threshold × SCALE` from the track's start.
 */
import { esc, percent } from './escape.js';
import type { ShareView } from './view.js';

/** Width of 100 % on a share track, in SVG units. */
export const SCALE = 5;
/** Where the tracks start, in SVG units. */
export const TRACK_X = 0;
const TRACK_WIDTH = 100 * SCALE;
const WIDTH = TRACK_WIDTH + 70;

let counter = 0;
/** A short id for a chart's title (unique within one page render). */
function nextId(prefix: string): string {
  counter = (counter + 1) % 1_000_000;
  return `${prefix}-${counter}`;
}

/** The sentence a share chart stands for. */
export function sharesSentence(shares: readonly ShareView[]): string {
  return shares
    .map((s) => {
      const v = s.value === undefined ? 'inconnu' : percent(s.value);
      return `${s.label} : ${v}${s.threshold ? ` (${s.threshold.label})` : ''}`;
    })
    .join(' ; ')
    .concat('.')
    .replace(/\u00a0/g, ' ');
}

/**
 * Horizontal bars, one per share, each under its label, with a dashed line where the guide sets
 * a threshold. An unknown share is drawn as an empty track marked « inconnu ».
 */
export function shareBars(shares: readonly ShareView[]): string {
  const ROW = 46;
  const height = shares.length * ROW + 4;
  const id = nextId('chart');
  const rows = shares.map((s, i) => {
    const y = i * ROW;
    const barY = y + 20;
    const parts: string[] = [
      `<text x="${TRACK_X}" y="${y + 14}" class="lbl">${esc(s.label)}</text>`,
      `<rect class="track" x="${TRACK_X}" y="${barY}" width="${TRACK_WIDTH}" height="14" rx="2"/>`,
    ];
    if (s.value !== undefined) {
      const w = Math.max(0, Math.min(100, s.value)) * SCALE;
      const below = s.threshold !== undefined && s.value < s.threshold.value;
      parts.push(
        `<rect class="bar${below ? ' bar-below' : ''}" data-share="${s.value}" x="${TRACK_X}" y="${barY}" width="${w}" height="14" rx="2"/>`,
        `<text x="${TRACK_WIDTH + 8}" y="${barY + 12}" class="val">${esc(percent(s.value))}</text>`,
      );
    } else {
      parts.push(`<text x="${TRACK_WIDTH + 8}" y="${barY + 12}" class="val">inconnu</text>`);
    }
    if (s.threshold) {
      const x = TRACK_X + s.threshold.value * SCALE;
      parts.push(
        `<line class="threshold" data-threshold="${s.threshold.value}" x1="${x}" x2="${x}" y1="${barY - 4}" y2="${barY + 18}"/>`,
      );
    }
    return `<g>${parts.join('')}</g>`;
  });
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${id}" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${esc(sharesSentence(shares))}</title>${rows.join('')}</svg>`;
}

/** The level gauge: the guide's four levels from « très faible » to « fort », ours marked. */
export function levelGauge(levels: readonly string[], index: number): string {
  const id = nextId('gauge');
  const gap = 6;
  const seg = (WIDTH - gap * (levels.length - 1)) / levels.length;
  const current = levels[index] ?? '';
  const sentence = `Niveau estimé : ${current}, ${index + 1}e sur ${levels.length} (de ${levels[0] ?? ''} à ${levels[levels.length - 1] ?? ''}).`;
  const parts = levels.map((label, i) => {
    const x = i * (seg + gap);
    const on = i <= index;
    return [
      `<rect class="seg${on ? ' seg-on' : ''}${i === index ? ' seg-current' : ''}" data-level="${i}" x="${x}" y="14" width="${seg}" height="18" rx="3"/>`,
      `<text x="${x + seg / 2}" y="50" text-anchor="middle" class="${i === index ? 'lbl cur' : 'lbl'}">${esc(label)}</text>`,
    ].join('');
  });
  const cx = index * (seg + gap) + seg / 2;
  parts.push(`<path class="marker" d="M${cx - 7} 2 L${cx + 7} 2 L${cx} 11 Z"/>`);
  return `<svg class="gauge" viewBox="0 0 ${WIDTH} 58" width="100%" role="img" aria-labelledby="${id}" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${esc(sentence)}</title>${parts.join('')}</svg>`;
}

/** A distribution as one stacked bar (observatory levels): counts and shares per category. */
export function stackedBar(items: readonly { label: string; count: number }[]): string {
  const id = nextId('dist');
  const total = items.reduce((n, i) => n + i.count, 0);
  let x = 0;
  const parts: string[] = [];
  items.forEach((item, i) => {
    const w = total > 0 ? (item.count / total) * TRACK_WIDTH : 0;
    if (w > 0)
      parts.push(
        `<rect class="stack stack-${i}" data-count="${item.count}" x="${x}" y="4" width="${w}" height="22"/>`,
      );
    x += w;
  });
  const sentence = `${items.map((i) => `${i.label} : ${i.count}`).join(' ; ')} (sur ${total}).`;
  return `<svg class="chart" viewBox="0 0 ${WIDTH} 30" width="100%" role="img" aria-labelledby="${id}" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${esc(sentence)}</title><rect class="track" x="0" y="4" width="${TRACK_WIDTH}" height="22"/>${parts.join('')}</svg>`;
}

/** A small line of points per month (observatory trend), value 0–100 on the vertical axis. */
export function monthlyLine(points: readonly { label: string; value: number }[]): string {
  const id = nextId('trend');
  const H = 120;
  const step = points.length > 1 ? TRACK_WIDTH / (points.length - 1) : 0;
  const xy = points.map(
    (p, i) => [20 + i * step, 10 + (1 - Math.min(100, p.value) / 100) * (H - 30)] as const,
  );
  const path = xy
    .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`)
    .join(' ');
  const dots = xy
    .map(
      ([x, y], i) =>
        `<circle class="dot" data-value="${points[i]?.value ?? 0}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4"/><text x="${x.toFixed(1)}" y="${H - 2}" text-anchor="middle" class="lbl">${esc(points[i]?.label ?? '')}</text>`,
    )
    .join('');
  const sentence = `${points.map((p) => `${p.label} : ${percent(p.value).replace(/\u00a0/g, ' ')}`).join(' ; ')}.`;
  return `<svg class="chart" viewBox="0 0 ${WIDTH + 20} ${H}" width="100%" role="img" aria-labelledby="${id}" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${esc(sentence)}</title><path class="line" d="${path}"/>${dots}</svg>`;
}
