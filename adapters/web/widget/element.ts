/**
 * `<clic-centre-ville>`: the assistant as a web component with an open shadow root (styles
 * isolated from the host page, readable by accessibility tools). A floating launcher and panel by
 * default, or inline in a page element. Keyboard-operable, announces new assistant messages in a
 * polite live region, restores the conversation after a reload.
 */
import type { WebReply, WebTranscriptMessage } from '../render.js';
import { type ApiFailure, createWidgetApi, type WidgetApi } from './api.js';
import { el, renderBotMessage, renderNotice, renderUserMessage, spokenText } from './dom.js';
import { WIDGET_CSS } from './styles.js';

/** How a page configures the widget (from the script tag's data attributes). */
export interface WidgetSettings {
  readonly apiBase: string;
  readonly town?: string;
  readonly start?: string;
  /** Render inside this element instead of the floating launcher. */
  readonly target?: Element;
}

const MAX_TEXT = 1000;
/** How often the widget asks for the town team's messages while a handover is open. */
const HANDOVER_POLL_MS = 3000;

const FAILURES: Record<ApiFailure, string> = {
  'not-found': 'Cette conversation a expiré. Une nouvelle commence.',
  'rate-limited':
    'Vous envoyez beaucoup de messages : patientez quelques secondes, puis réessayez.',
  'too-long': `Votre message est trop long (${MAX_TEXT} caractères au plus).`,
  network: 'Connexion impossible pour le moment. Vérifiez votre réseau, puis réessayez.',
  server: 'Désolé, un souci technique est survenu. Réessayez dans un instant.',
  unavailable: 'Désolé, le service reprend dans un instant. Votre message est gardé : réessayez.',
};

const CHAT_ICON_PATH =
  'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z';

/** The launcher's speech-bubble icon, decorative (hidden from assistive technologies). */
function chatIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', CHAT_ICON_PATH);
  svg.append(path);
  return svg;
}

function randomId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** localStorage may be unavailable (privacy modes, sandboxed frames): never let it break us. */
const storage = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string): void {
    try {
      localStorage.setItem(key, value);
    } catch {
      // the conversation simply will not survive a reload
    }
  },
  remove(key: string): void {
    try {
      localStorage.removeItem(key);
    } catch {
      // nothing to remove
    }
  },
};

let counter = 0;

/** The custom element class (registered by main.ts as `clic-centre-ville`). */
export class ClicCentreVilleElement extends HTMLElement {
  private settings: WidgetSettings | undefined;
  private api: WidgetApi | undefined;
  private readonly root: ShadowRoot;
  private readonly uid = `ccv${++counter}`;
  private conversationId: string | null = null;
  private ready: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private launcher: HTMLButtonElement | undefined;
  private panel!: HTMLElement;
  private log!: HTMLElement;
  private live!: HTMLElement;
  private typing!: HTMLElement;
  private input!: HTMLInputElement;
  private built = false;
  /** The last town-team message shown (issue 18), and the next poll while a handover is open. */
  private handoverSeq = 0;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
  }

  /** Applies the page's settings; called once, before the element is connected. */
  configure(settings: WidgetSettings): void {
    this.settings = settings;
    this.api = createWidgetApi(settings.apiBase);
  }

  connectedCallback(): void {
    if (this.built || !this.settings) return;
    this.built = true;
    this.build();
    const inline = this.settings.target !== undefined;
    if (inline || this.wasOpen()) this.open(false);
  }

  // === Layout

  private storageKey(): string {
    return `ccv:conversation:${this.settings?.apiBase ?? ''}:${this.settings?.town ?? ''}`;
  }

  private wasOpen(): boolean {
    try {
      return sessionStorage.getItem(`${this.storageKey()}:open`) === '1';
    } catch {
      return false;
    }
  }

  private rememberOpen(open: boolean): void {
    try {
      if (open) sessionStorage.setItem(`${this.storageKey()}:open`, '1');
      else sessionStorage.removeItem(`${this.storageKey()}:open`);
    } catch {
      // not essential
    }
  }

  private build(): void {
    const inline = this.settings?.target !== undefined;
    const sheetText = WIDGET_CSS;
    if ('adoptedStyleSheets' in this.root && typeof CSSStyleSheet === 'function') {
      try {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(sheetText);
        this.root.adoptedStyleSheets = [sheet];
      } catch {
        this.root.append(el('style', undefined, sheetText));
      }
    } else {
      this.root.append(el('style', undefined, sheetText));
    }

    const wrap = el('div', inline ? 'inline' : 'floating');
    const titleId = `${this.uid}-title`;
    const inputId = `${this.uid}-input`;
    const panelId = `${this.uid}-panel`;

    if (!inline) {
      const launcher = el('button', 'launcher');
      launcher.type = 'button';
      launcher.setAttribute('aria-expanded', 'false');
      launcher.setAttribute('aria-controls', panelId);
      launcher.append(chatIcon(), el('span', undefined, 'Assistant commerces'));
      launcher.addEventListener('click', () => (this.isOpen() ? this.close() : this.open(true)));
      this.launcher = launcher;
      wrap.append(launcher);
    }

    const panel = el('section', 'panel');
    panel.id = panelId;
    panel.setAttribute('aria-labelledby', titleId);
    if (!inline) {
      panel.setAttribute('role', 'dialog');
      panel.setAttribute('aria-modal', 'false');
      panel.hidden = true;
    }
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !inline) {
        event.stopPropagation();
        this.close();
      }
    });

    const header = el('header');
    const titles = el('div', 'titles');
    const title = el('h2', undefined, 'Assistant Clic Centre-Ville');
    title.id = titleId;
    titles.append(title);
    titles.append(
      el(
        'p',
        'subtitle',
        this.settings?.town
          ? `Le numérique pour les commerces de ${this.settings.town}`
          : 'Le numérique pour les commerces du centre-ville',
      ),
    );
    header.append(titles);
    const erase = el('button', 'tool', 'Effacer');
    erase.type = 'button';
    erase.setAttribute('aria-label', 'Effacer la conversation et mes données');
    erase.addEventListener('click', () => void this.enqueue(() => this.eraseConversation()));
    header.append(erase);
    if (!inline) {
      const close = el('button', 'tool close', '×');
      close.type = 'button';
      close.setAttribute('aria-label', 'Fermer l’assistant');
      close.addEventListener('click', () => this.close());
      header.append(close);
    }

    const log = el('div', 'log');
    log.tabIndex = 0;
    log.setAttribute('aria-label', 'Conversation');
    log.addEventListener('click', (event) => {
      const target = event.target;
      if (!(target instanceof HTMLButtonElement) || !target.dataset.action) return;
      const action = target.dataset.action;
      const label = target.textContent ?? '';
      void this.enqueue(() => this.sendMessage({ action }, label, true));
    });

    const live = el('div', 'sr-only');
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('aria-atomic', 'false');

    const typing = el('div', 'typing');
    typing.hidden = true;
    typing.setAttribute('aria-hidden', 'true');
    const dots = el('span', 'dots');
    dots.append(el('i'), el('i'), el('i'));
    typing.append(dots, el('span', undefined, 'L’assistant écrit…'));

    const form = el('form');
    form.noValidate = true;
    const label = el('label', 'sr-only', 'Votre message');
    label.htmlFor = inputId;
    const input = el('input');
    input.id = inputId;
    input.type = 'text';
    input.maxLength = MAX_TEXT;
    input.autocomplete = 'off';
    input.placeholder = 'Écrivez votre question…';
    input.enterKeyHint = 'send';
    const send = el('button', 'send', 'Envoyer');
    send.type = 'submit';
    form.append(label, input, send);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) {
        input.focus();
        return;
      }
      input.value = '';
      void this.enqueue(() => this.sendMessage({ text }, text, false));
    });

    const legal = el(
      'p',
      'legal',
      'D’après le guide de la Banque des Territoires. N’indiquez pas de données personnelles.',
    );

    panel.append(header, log, typing, form, legal, live);
    wrap.append(panel);
    this.root.append(wrap);
    this.panel = panel;
    this.log = log;
    this.live = live;
    this.typing = typing;
    this.input = input;
  }

  // === Open / close

  private isOpen(): boolean {
    return !this.panel.hidden;
  }

  /** Opens the panel; `focusInput` moves the focus into the text field (SPEC §6 focus rules). */
  open(focusInput: boolean): void {
    this.panel.hidden = false;
    this.launcher?.setAttribute('aria-expanded', 'true');
    if (this.launcher) this.rememberOpen(true);
    if (focusInput) this.input.focus();
    if (!this.ready) this.ready = this.enqueue(() => this.resume());
  }

  /** Closes the panel and gives the focus back to the launcher. */
  close(): void {
    if (!this.launcher) return;
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.rememberOpen(false);
    this.launcher.focus();
  }

  // === Conversation

  private enqueue<T>(work: () => Promise<T>): Promise<void> {
    const next = this.queue.then(work).then(
      () => undefined,
      () => undefined,
    );
    this.queue = next;
    return next;
  }

  private setBusy(busy: boolean): void {
    this.typing.hidden = !busy;
    this.log.setAttribute('aria-busy', busy ? 'true' : 'false');
    if (busy) this.scrollDown();
  }

  private scrollDown(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private announce(text: string): void {
    const line = el('p', undefined, text);
    this.live.append(line);
    while (this.live.childNodes.length > 3) this.live.firstChild?.remove();
  }

  private notice(text: string): void {
    this.log.append(renderNotice(text));
    this.announce(text);
    this.scrollDown();
  }

  /** A notice with a « Réessayer » button that runs `retry` (once) in the widget's queue. */
  private retryNotice(text: string, retry: () => Promise<unknown>): void {
    const node = renderNotice(text);
    const again = el('button', 'retry', 'Réessayer');
    again.type = 'button';
    again.addEventListener('click', () => {
      node.remove();
      void this.enqueue(async () => {
        await retry();
      });
    });
    node.append(' ', again);
    this.log.append(node);
    this.announce(text);
    this.scrollDown();
    again.focus();
  }

  /** Puts what the visitor typed back in the input, unless they already typed something else. */
  private keepTyped(text: string | undefined): void {
    if (text !== undefined && this.input.value === '') this.input.value = text;
  }

  private showReplies(replies: readonly WebReply[], announce: boolean): HTMLElement | undefined {
    let firstChoice: HTMLElement | undefined;
    let firstNode: HTMLElement | undefined;
    for (const reply of replies) {
      const node = renderBotMessage(reply);
      this.log.append(node);
      firstNode ??= node;
      if (announce) this.announce(spokenText(reply));
      firstChoice ??= node.querySelector<HTMLElement>('button.choice') ?? undefined;
    }
    // Long answers are read from their start: bring the first new message to the top.
    if (firstNode) {
      const offset = firstNode.getBoundingClientRect().top - this.log.getBoundingClientRect().top;
      this.log.scrollTop += offset - 8;
    }
    return firstChoice;
  }

  /**
   * Asks for the town team's new messages (issue 18) and shows them (`show` false: the transcript
   * just restored already holds them, only the position is taken). Polls again while a handover
   * is pending or open.
   */
  private async pollHandover(show: boolean): Promise<void> {
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    const id = this.conversationId;
    if (!this.api || !id) return;
    const result = await this.api.handoverMessages(id, this.handoverSeq);
    if (!result.ok || id !== this.conversationId) return;
    const poll = result.value;
    const messages = poll.messages;
    if (show && messages.length > 0) {
      this.showReplies(
        messages.map((m) => m.message),
        true,
      );
    }
    this.handoverSeq = Math.max(this.handoverSeq, poll.seq);
    if (poll.handover === 'consent' || poll.handover === 'open' || poll.handover === 'taken') {
      this.pollTimer = setTimeout(() => {
        void this.enqueue(() => this.pollHandover(true));
      }, HANDOVER_POLL_MS);
    }
  }

  private showTranscript(messages: readonly WebTranscriptMessage[]): void {
    for (const m of messages) {
      if (m.from === 'user' && m.text) this.log.append(renderUserMessage(m.text));
      else if (m.reply) this.log.append(renderBotMessage(m.reply));
    }
    this.scrollDown();
  }

  /** Restores the stored conversation, or starts a new one. */
  private async resume(): Promise<void> {
    const stored = storage.get(this.storageKey());
    if (stored && this.api) {
      this.setBusy(true);
      const result = await this.api.transcript(stored);
      this.setBusy(false);
      if (result.ok) {
        this.conversationId = stored;
        this.showTranscript(result.value.messages);
        await this.pollHandover(false);
        return;
      }
      if (result.failure !== 'not-found') {
        this.notice(FAILURES[result.failure]);
        return;
      }
      storage.remove(this.storageKey());
    }
    await this.startConversation();
  }

  private async startConversation(): Promise<boolean> {
    if (!this.api) return false;
    this.setBusy(true);
    const result = await this.api.create({
      ...(this.settings?.start ? { start: this.settings.start } : {}),
      ...(this.settings?.town ? { town: this.settings.town } : {}),
    });
    this.setBusy(false);
    if (!result.ok) {
      if (result.failure === 'unavailable') {
        this.retryNotice(FAILURES.unavailable, () => this.startConversation());
      } else {
        this.notice(result.message ?? FAILURES[result.failure]);
      }
      return false;
    }
    this.conversationId = result.value.conversationId;
    storage.set(this.storageKey(), this.conversationId);
    this.showReplies(result.value.messages, true);
    return true;
  }

  private async sendMessage(
    body: { text?: string; action?: string },
    shown: string,
    fromButton: boolean,
    messageId?: string,
  ): Promise<void> {
    if (!this.api) return;
    if (!this.conversationId && !(await this.startConversation())) {
      this.keepTyped(body.text);
      return;
    }
    const mine = renderUserMessage(shown);
    this.log.append(mine);
    this.setBusy(true);
    // A retry after a 503 keeps its id: should the first try have been stored after all, the
    // server answers it once.
    const clientMessageId = messageId ?? randomId();
    let result = await this.api.send(this.conversationId ?? '', { ...body, clientMessageId });
    if (!result.ok && result.failure === 'network') {
      // One retry with the same id: the server answers it at most once.
      result = await this.api.send(this.conversationId ?? '', { ...body, clientMessageId });
    }
    this.setBusy(false);
    if (!result.ok) {
      if (result.failure === 'not-found') {
        storage.remove(this.storageKey());
        this.conversationId = null;
        this.notice(FAILURES['not-found']);
        await this.startConversation();
      } else if (result.failure === 'unavailable') {
        // The service is coming back: the typed text stays, one click sends it again.
        this.keepTyped(body.text);
        this.retryNotice(FAILURES.unavailable, () => {
          mine.remove();
          if (body.text !== undefined && this.input.value === body.text) this.input.value = '';
          return this.sendMessage(body, shown, fromButton, clientMessageId);
        });
      } else {
        this.notice(result.message ?? FAILURES[result.failure]);
      }
      return;
    }
    const firstChoice = this.showReplies(result.value.messages, true);
    if (result.value.forgotten) {
      storage.remove(this.storageKey());
      this.conversationId = null;
    } else if (this.pollTimer !== undefined || body.action?.startsWith('handover:')) {
      // Only a conversation with the town team polls (one request every few seconds).
      await this.pollHandover(true);
    }
    if (fromButton && firstChoice) firstChoice.focus();
    else this.input.focus();
  }

  private async eraseConversation(): Promise<void> {
    const id = this.conversationId;
    if (id && this.api) {
      const result = await this.api.erase(id);
      if (!result.ok && result.failure !== 'not-found') {
        this.notice(FAILURES[result.failure]);
        return;
      }
    }
    storage.remove(this.storageKey());
    this.conversationId = null;
    this.log.replaceChildren();
    this.notice('Conversation effacée : rien n’est conservé.');
    await this.startConversation();
    this.input.focus();
  }
}
