/**
 * Text normalisation shared by every matcher: lower case, accents and ligatures folded,
 * apostrophes and punctuation turned into spaces, white space collapsed.
 */

/** The reference definition, applied to whole strings that the fast path does not handle. */
function normalizeSlow(input: string): string {
  return input
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/giu, 'oe')
    .replace(/æ/giu, 'ae')
    .toLowerCase()
    .replace(/[’'`´]/g, ' ')
    .replace(/[^\p{L}\p{N}%]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/**
 * What one code point becomes (kept characters, or « » for a separator), memoised: folding
 * character by character gives the same text as `normalizeSlow` on the whole string (NFKD does
 * not compose, and marks are dropped either way), at a tenth of the cost of the Unicode regexes.
 */
const folded = new Map<number, string | null>();
/**
 * Capital sigma lower-cases by context (σ / ς): text with a character that decomposes to it
 * (`null` in the memo) takes the whole-string path.
 */
const CAPITAL_SIGMA = '\u03a3';

/** Typographic punctuation of French text, known to be separators without asking the regexes. */
const SEPARATORS = new Set([...'’‘«»“”–—•·'].map((c) => c.charCodeAt(0)));
const LIGATURES: Record<string, string> = { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae' };

/**
 * Latin letters whose NFKD form is ASCII plus combining accents (U+0300–U+036F) fold without the
 * Unicode-property regexes, whose first use costs milliseconds at start-up; anything else takes
 * the reference path.
 */
function foldLatin(ch: string): string | undefined {
  const lig = LIGATURES[ch];
  if (lig) return lig;
  let out = '';
  for (const c of ch.normalize('NFKD')) {
    const code = c.charCodeAt(0);
    if (code >= 0x300 && code <= 0x36f) continue;
    if (code >= 128) return undefined;
    out += /[A-Za-z0-9%]/.test(c) ? c.toLowerCase() : ' ';
  }
  return out;
}

function fold(cp: number): string | null {
  const known = folded.get(cp);
  if (known !== undefined) return known;
  const char = String.fromCodePoint(cp);
  const nfkd = char.normalize('NFKD');
  const latin = SEPARATORS.has(cp) ? ' ' : foldLatin(char);
  const out = nfkd.includes(CAPITAL_SIGMA)
    ? null
    : (latin ??
      Array.from(
        nfkd
          .replace(/\p{M}+/gu, '')
          .replace(/œ/giu, 'oe')
          .replace(/æ/giu, 'ae')
          .toLowerCase(),
        (c) => (/^[\p{L}\p{N}%]$/u.test(c) ? c : ' '),
      ).join(''));
  if (folded.size < 10_000) folded.set(cp, out);
  return out;
}

/** Lower case, accents and ligatures folded, anything but letters, digits and « % » a space. */
export function normalizeText(input: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < input.length; i++) {
    let cp = input.charCodeAt(i);
    let chars: string;
    if ((cp >= 97 && cp <= 122) || (cp >= 48 && cp <= 57) || cp === 37) {
      chars = input[i] as string;
    } else if (cp >= 65 && cp <= 90) {
      chars = String.fromCharCode(cp + 32);
    } else if (cp < 128) {
      chars = ' ';
    } else {
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < input.length) {
        cp = input.codePointAt(i) ?? cp;
        if (cp > 0xffff) i++;
      }
      const f = fold(cp);
      if (f === null) return normalizeSlow(input);
      chars = f;
    }
    for (let k = 0; k < chars.length; k++) {
      const c = chars[k] as string;
      if (c === ' ') {
        space = out.length > 0;
      } else {
        if (space) out += ' ';
        space = false;
        out += c;
      }
    }
  }
  return out;
}
