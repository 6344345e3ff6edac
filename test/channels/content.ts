/**
 * The channel-neutral CONTENT of what a person is shown, and the comparison the contract suite
 * makes with it (issue 17: the same scripted dialogue gives the same content on every channel).
 *
 * Each driver turns its platform's messages into {@link Shown}: plain text without markup
 * (Telegram HTML and Slack mrkdwn undone, the widget's JSON laid out as the widget does, the
 * terminal screen as printed) and the labels of the buttons that send something. Then
 * {@link contentOf} applies the only normalisation that platform layout makes necessary:
 *
 * - the messages of one turn are concatenated: Telegram splits below 4096 characters and Slack
 *   packs blocks into messages of at most 50 (sections ≤ 3000), each at paragraph boundaries,
 *   so the cutting differs while the words do not;
 * - line breaks and runs of spaces become one space, and a list marker at the start of a line
 *   (« • », « - », « 1. ») is dropped: bullets, numbering of list items and of Telegram's cards
 *   are layout, and the items stay in their order;
 * - a link's address printed after its label (the terminal's « label (https://…) ») is dropped:
 *   the other channels put it behind the label.
 *
 * Nothing else is touched: every word, figure, accent and punctuation mark is compared, and the
 * button labels are compared one by one, in order. The suite checks that a content that differs
 * by one word, one button or one figure is reported by {@link differences}.
 */

/** One platform message as its reader sees it. */
export interface Shown {
  /** Plain text, no markup; lines as the platform shows them. */
  readonly text: string;
  /** Labels of the buttons that send something (URL buttons excluded), in order. */
  readonly buttons: readonly string[];
}

/** What one turn showed, once platform layout is set aside. */
export interface Content {
  readonly text: string;
  readonly buttons: readonly string[];
}

/** A list marker at the start of a line: « • », « - », « 3. ». */
const LIST_MARKER = /^(?:[•-]|\d+\.)\s+/u;
/** A link's address printed after its label: « (https://…) », « (mailto:…) ». */
const LINK_TARGET = / \((?:https?:\/\/|mailto:|tel:)[^)\s]*\)/gu;

/** The content of one turn: its messages' text as one normalised string, and its buttons. */
export function contentOf(shown: readonly Shown[]): Content {
  const text = shown
    .flatMap((s) => s.text.split('\n'))
    .map((line) => line.trim().replace(LIST_MARKER, ''))
    .filter((line) => line.length > 0)
    .join(' ')
    .replace(LINK_TARGET, '')
    .replace(/\s+/gu, ' ')
    .trim();
  return { text, buttons: shown.flatMap((s) => s.buttons) };
}

/**
 * Slack mrkdwn → what the reader sees: links `<url|label>` show their label, `*bold*` and
 * `_italic_` markers (those our renderer puts at word edges) go, and `&amp; &lt; &gt;` are undone.
 */
export function slackMrkdwnToText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<([^|>]+)\|([^>]*)>/gu, (_all, _url: string, label: string) =>
      label.replace(/¦/gu, '|'),
    )
    .replace(/<([^>]+)>/gu, '$1')
    .replace(/(?<![\p{L}\p{N}])[*_]+|[*_]+(?![\p{L}\p{N}])/gu, '')
    .replace(/&lt;/gu, '<')
    .replace(/&gt;/gu, '>')
    .replace(/&amp;/gu, '&');
}

/** Where two contents part: the first differing word, and any button difference. */
export function differences(a: Content, b: Content): string[] {
  const out: string[] = [];
  if (a.text !== b.text) {
    const wa = a.text.split(' ');
    const wb = b.text.split(' ');
    let i = 0;
    while (i < wa.length && wa[i] === wb[i]) i++;
    const around = (words: string[]) => words.slice(Math.max(0, i - 6), i + 10).join(' ');
    out.push(`text differs at word ${i + 1}: « ${around(wa)} » ≠ « ${around(wb)} »`);
  }
  const ba = a.buttons.join(' | ');
  const bb = b.buttons.join(' | ');
  if (ba !== bb) out.push(`buttons differ: [${ba}] ≠ [${bb}]`);
  return out;
}

/**
 * Every difference between each channel's turns and the reference channel's, turn by turn,
 * as readable lines (empty when all channels showed the same content).
 */
export function channelDifferences(
  byChannel: Readonly<Record<string, readonly Content[]>>,
  reference: string,
): string[] {
  const ref = byChannel[reference] ?? [];
  const out: string[] = [];
  for (const [name, turns] of Object.entries(byChannel)) {
    if (name === reference) continue;
    if (turns.length !== ref.length) {
      out.push(`${name}: ${turns.length} turns, ${reference}: ${ref.length}`);
    }
    turns.forEach((turn, i) => {
      const other = ref[i] ?? { text: '', buttons: [] };
      for (const d of differences(other, turn))
        out.push(`turn ${i + 1}, ${reference} vs ${name}: ${d}`);
    });
  }
  return out;
}
