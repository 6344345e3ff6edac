/**
 * A Block Kit validator written from the limits table of PLATFORMS.md (Slack), independent of
 * the renderer's own constants: every Slack test passes every outgoing message and view through
 * it, so that a payload Slack would refuse (`invalid_blocks`) fails the test instead.
 */

/** The limits table (PLATFORMS.md, Slack). */
export const LIMITS = {
  messageBlocks: 50,
  /** Issue 20: Slack truncates a message `text` over 4 000; validators refuse over 3 000. */
  messageText: 3000,
  modalBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionField: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 75, // PLATFORMS: value ≤ 2000, but our values stay ≤ 75 (option value rule)
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  contextElements: 10,
  radioOptions: 10,
  selectOptions: 100,
  optionText: 75,
  optionValue: 75,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
} as const;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function chars(s: string): number {
  return [...s].length;
}

class Checker {
  readonly problems: string[] = [];
  readonly actionIds = new Set<string>();

  fail(path: string, problem: string): void {
    this.problems.push(`${path}: ${problem}`);
  }

  text(path: string, value: unknown, max: number, kind?: 'plain_text' | 'mrkdwn'): void {
    if (!isObject(value)) {
      this.fail(path, 'text object missing');
      return;
    }
    if (kind && value.type !== kind) this.fail(path, `must be ${kind}, got ${String(value.type)}`);
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn') this.fail(path, 'bad text type');
    if (typeof value.text !== 'string' || value.text.length === 0) {
      this.fail(path, 'empty text');
      return;
    }
    if (chars(value.text) > max) this.fail(path, `text ${chars(value.text)} > ${max}`);
    if (value.type === 'mrkdwn') this.mrkdwn(path, value.text);
  }

  /** Raw `<` or `>` outside Slack's own `<url|label>` / `<!…>` syntax means unescaped user text. */
  mrkdwn(path: string, text: string): void {
    const withoutLinks = text.replace(/<(https?:\/\/|mailto:)[^<>|\s]+(\|[^<>]*)?>/g, '');
    if (/[<>]/.test(withoutLinks))
      this.fail(path, `unescaped < or > in mrkdwn: ${text.slice(0, 80)}`);
    if (/&(?!amp;|lt;|gt;)/.test(text))
      this.fail(path, `unescaped & in mrkdwn: ${text.slice(0, 80)}`);
  }

  id(path: string, value: unknown, max: number, required: boolean): void {
    if (value === undefined) {
      if (required) this.fail(path, 'id missing');
      return;
    }
    if (typeof value !== 'string' || value.length === 0) {
      this.fail(path, 'bad id');
      return;
    }
    if (value.length > max) this.fail(path, `id ${value.length} > ${max}`);
  }

  option(path: string, o: unknown): void {
    if (!isObject(o)) {
      this.fail(path, 'option missing');
      return;
    }
    this.text(`${path}.text`, o.text, LIMITS.optionText, 'plain_text');
    if (typeof o.value !== 'string' || o.value.length === 0)
      this.fail(path, 'option value missing');
    else if (o.value.length > LIMITS.optionValue)
      this.fail(path, `option value > ${LIMITS.optionValue}`);
  }

  element(path: string, el: unknown): void {
    if (!isObject(el)) {
      this.fail(path, 'element missing');
      return;
    }
    if (typeof el.action_id === 'string') {
      this.id(`${path}.action_id`, el.action_id, LIMITS.actionId, true);
    }
    switch (el.type) {
      case 'button':
        this.text(`${path}.text`, el.text, LIMITS.buttonText, 'plain_text');
        this.id(`${path}.action_id`, el.action_id, LIMITS.actionId, true);
        if (typeof el.action_id === 'string') {
          if (this.actionIds.has(el.action_id))
            this.fail(path, `duplicate action_id ${el.action_id}`);
          this.actionIds.add(el.action_id);
        }
        if (el.value !== undefined) {
          if (typeof el.value !== 'string') this.fail(path, 'value must be a string');
          else if (el.value.length > LIMITS.buttonValue)
            this.fail(path, `value > ${LIMITS.buttonValue}`);
        }
        if (typeof el.url === 'string' && el.url.length > LIMITS.buttonUrl)
          this.fail(path, 'url too long');
        break;
      case 'radio_buttons':
      case 'checkboxes':
        if (!Array.isArray(el.options) || el.options.length === 0) this.fail(path, 'no options');
        else if (el.options.length > LIMITS.radioOptions)
          this.fail(path, `> ${LIMITS.radioOptions} options`);
        (Array.isArray(el.options) ? el.options : []).forEach((o, i) => {
          this.option(`${path}.options[${i}]`, o);
        });
        break;
      case 'static_select':
        if (!Array.isArray(el.options) || el.options.length === 0) this.fail(path, 'no options');
        else if (el.options.length > LIMITS.selectOptions)
          this.fail(path, `> ${LIMITS.selectOptions} options`);
        (Array.isArray(el.options) ? el.options : []).forEach((o, i) => {
          this.option(`${path}.options[${i}]`, o);
        });
        break;
      case 'number_input':
      case 'plain_text_input':
        break;
      case 'mrkdwn':
      case 'plain_text':
        this.text(path, el, LIMITS.sectionText);
        break;
      default:
        this.fail(path, `unexpected element type ${String(el.type)}`);
    }
  }

  block(path: string, block: unknown, inModal: boolean): void {
    if (!isObject(block)) {
      this.fail(path, 'block missing');
      return;
    }
    this.id(`${path}.block_id`, block.block_id, LIMITS.blockId, false);
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined)
          this.fail(path, 'empty section');
        if (block.text !== undefined) this.text(`${path}.text`, block.text, LIMITS.sectionText);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length > LIMITS.sectionFields) {
            this.fail(path, 'too many fields');
          } else
            block.fields.forEach((f, i) => {
              this.text(`${path}.fields[${i}]`, f, LIMITS.sectionField);
            });
        }
        if (block.accessory !== undefined) this.element(`${path}.accessory`, block.accessory);
        break;
      }
      case 'header':
        this.text(`${path}.text`, block.text, LIMITS.headerText, 'plain_text');
        break;
      case 'actions':
        if (!Array.isArray(block.elements) || block.elements.length === 0)
          this.fail(path, 'no elements');
        else if (block.elements.length > LIMITS.actionsElements)
          this.fail(path, `> ${LIMITS.actionsElements} elements`);
        (Array.isArray(block.elements) ? block.elements : []).forEach((e, i) => {
          this.element(`${path}.elements[${i}]`, e);
        });
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0)
          this.fail(path, 'no elements');
        else if (block.elements.length > LIMITS.contextElements)
          this.fail(path, `> ${LIMITS.contextElements} elements`);
        (Array.isArray(block.elements) ? block.elements : []).forEach((e, i) => {
          this.text(`${path}.elements[${i}]`, e, LIMITS.sectionText);
        });
        break;
      case 'divider':
        break;
      case 'input':
        if (!inModal) this.fail(path, 'input block outside a modal');
        this.text(`${path}.label`, block.label, 2000, 'plain_text');
        if (block.hint !== undefined) this.text(`${path}.hint`, block.hint, 2000, 'plain_text');
        this.element(`${path}.element`, block.element);
        break;
      default:
        this.fail(path, `unexpected block type ${String(block.type)}`);
    }
  }
}

function report(checker: Checker, what: string): void {
  if (checker.problems.length > 0) {
    throw new Error(`${what} breaks Block Kit limits:\n- ${checker.problems.join('\n- ')}`);
  }
}

/** Throws unless `message` (chat.postMessage args or a response_url body) respects every limit. */
export function assertBlockKitMessage(message: unknown): void {
  const checker = new Checker();
  if (!isObject(message)) throw new Error('message is not an object');
  if (typeof message.text !== 'string' || message.text.trim() === '') {
    checker.fail('text', 'plain-text fallback missing');
  } else {
    checker.mrkdwn('text', message.text);
    const length = chars(message.text);
    if (length > LIMITS.messageText)
      checker.fail('text', `fallback ${length} > ${LIMITS.messageText}`);
  }
  const blocks = message.blocks;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) checker.fail('blocks', 'not an array');
    else {
      if (blocks.length > LIMITS.messageBlocks)
        checker.fail('blocks', `${blocks.length} > ${LIMITS.messageBlocks}`);
      blocks.forEach((b, i) => {
        checker.block(`blocks[${i}]`, b, false);
      });
    }
  }
  report(checker, 'message');
}

/** Throws unless a modal view respects every limit. */
export function assertModalView(view: unknown): void {
  const checker = new Checker();
  if (!isObject(view)) throw new Error('view is not an object');
  if (view.type !== 'modal') checker.fail('type', 'not a modal');
  checker.text('title', view.title, LIMITS.modalTitle, 'plain_text');
  if (view.submit !== undefined)
    checker.text('submit', view.submit, LIMITS.modalButton, 'plain_text');
  if (view.close !== undefined) checker.text('close', view.close, LIMITS.modalButton, 'plain_text');
  if (
    typeof view.private_metadata === 'string' &&
    view.private_metadata.length > LIMITS.privateMetadata
  ) {
    checker.fail('private_metadata', `> ${LIMITS.privateMetadata}`);
  }
  checker.id('callback_id', view.callback_id, 255, false);
  if (!Array.isArray(view.blocks)) checker.fail('blocks', 'not an array');
  else {
    if (view.blocks.length > LIMITS.modalBlocks) checker.fail('blocks', `> ${LIMITS.modalBlocks}`);
    const ids = new Set<string>();
    view.blocks.forEach((b, i) => {
      checker.block(`blocks[${i}]`, b, true);
      const id = isObject(b) ? b.block_id : undefined;
      if (typeof id === 'string') {
        if (ids.has(id)) checker.fail(`blocks[${i}]`, `duplicate block_id ${id}`);
        ids.add(id);
      }
    });
  }
  report(checker, 'modal');
}

/** Checks a view's `response_action: 'errors'` body: known block ids, short messages. */
export function assertViewErrors(
  body: unknown,
  blockIds: readonly string[],
): Record<string, string> {
  if (!isObject(body) || body.response_action !== 'errors' || !isObject(body.errors)) {
    throw new Error(`not a response_action errors body: ${JSON.stringify(body)}`);
  }
  for (const [id, message] of Object.entries(body.errors)) {
    if (!blockIds.includes(id)) throw new Error(`error on unknown block ${id}`);
    if (typeof message !== 'string' || message.length === 0 || message.length > 2000) {
      throw new Error(`bad error message on ${id}`);
    }
  }
  return body.errors as Record<string, string>;
}
