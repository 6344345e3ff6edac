/**
 * The neutral reply model: what the dialogues say, independent of any platform. Each adapter
 * renders it natively (Telegram HTML, Slack Block Kit, web DOM, terminal text); `text` is
 * always a complete plain-text fallback. Span text is plain text, never markup: renderers escape.
 */

/** A run of plain text with optional emphasis or a link. */
export interface Span {
  readonly text: string;
  readonly bold?: boolean;
  readonly italic?: boolean;
  readonly href?: string;
}

/** A paragraph or a list; lists hold one span array per item. */
export type Block =
  | { readonly type: 'paragraph'; readonly spans: readonly Span[] }
  | {
      readonly type: 'list';
      readonly ordered: boolean;
      readonly items: readonly (readonly Span[])[];
    };

/** A choice offered to the user. `action` is short ASCII (≤ 48 bytes) so every platform takes it. */
export interface Button {
  readonly label: string;
  readonly action: string;
}

/**
 * A button that opens a web page (« Mon plan d'action ») instead of sending an action. Kept apart
 * from {@link Button} so that a renderer that does not know it still shows the page through the
 * reply's blocks, which always carry the same link as a span.
 */
export interface LinkButton {
  readonly label: string;
  /** An absolute http(s) URL. */
  readonly url: string;
}

/** A solution or roadmap card: a title, a few lines, and its own buttons. */
export interface Card {
  readonly title: string;
  readonly subtitle?: string;
  readonly lines: readonly (readonly Span[])[];
  readonly buttons?: readonly Button[];
}

/** One message of the assistant. */
export interface Reply {
  /** Complete plain-text fallback of everything below (buttons excluded). */
  readonly text: string;
  readonly blocks: readonly Block[];
  readonly cards?: readonly Card[];
  readonly buttons?: readonly Button[];
  /** Buttons that open a page; the same links are in `blocks` for renderers that ignore these. */
  readonly links?: readonly LinkButton[];
  /** « Question 2/4 » when the reply asks a numbered question. */
  readonly progress?: { readonly current: number; readonly total: number };
}

/** Longest action id we emit; Telegram callback_data is ≤ 64 bytes, Slack values ≤ 75. */
export const MAX_ACTION_BYTES = 48;
/** Longest button label we emit (Slack's limit is 75, we stay well under). */
export const MAX_BUTTON_LABEL = 60;
