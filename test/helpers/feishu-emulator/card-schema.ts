import { isObject } from './reply.js';

/** Header colours Feishu accepts (docs/feishu-notes.md §8.2). */
export const HEADER_TEMPLATES = new Set([
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
]);

const TEXT_TAGS = new Set(['plain_text', 'lark_md']);
const ELEMENT_TAGS = new Set(['div', 'markdown', 'hr', 'img', 'note', 'action', 'column_set']);
const BUTTON_TYPES = new Set(['default', 'primary', 'danger']);

/**
 * Checks a card against the documented JSON 1.0 / 2.0 shapes and the template shape (reference
 * §8.1-§8.3); returns the first problem, or undefined when the card is fine. Real Feishu answers a
 * bad card with 230099 "Failed to create card content".
 */
export function cardProblem(card: unknown): string | undefined {
  if (!isObject(card)) return 'card must be a JSON object';
  if (card['type'] === 'template') {
    const data = card['data'];
    if (!isObject(data) || typeof data['template_id'] !== 'string')
      return 'template card needs data.template_id';
    if (data['template_variable'] !== undefined && !isObject(data['template_variable'])) {
      return 'data.template_variable must be an object';
    }
    return undefined;
  }
  const header = card['header'];
  if (header !== undefined) {
    if (!isObject(header)) return 'header must be an object';
    if (header['template'] !== undefined && !HEADER_TEMPLATES.has(header['template'] as string)) {
      return `header.template ${JSON.stringify(header['template'])} is not a card colour`;
    }
    const problem = textProblem(header['title'], 'header.title');
    if (problem) return problem;
  }
  const elements =
    card['schema'] === '2.0'
      ? isObject(card['body'])
        ? card['body']['elements']
        : undefined
      : card['elements'];
  if (!Array.isArray(elements))
    return card['schema'] === '2.0' ? 'body.elements must be a list' : 'elements must be a list';
  for (const [index, element] of elements.entries()) {
    const problem = elementProblem(element, `elements[${index}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** Whether a stored card allows PATCH: `config.update_multi` true (2.0 cards always are). */
export function isSharedCard(card: unknown): boolean {
  if (!isObject(card)) return false;
  if (card['schema'] === '2.0') return true;
  return isObject(card['config']) && card['config']['update_multi'] === true;
}

function textProblem(text: unknown, path: string): string | undefined {
  if (!isObject(text)) return `${path} must be a text object`;
  if (!TEXT_TAGS.has(String(text['tag']))) return `${path}.tag must be plain_text or lark_md`;
  if (typeof text['content'] !== 'string' && !isObject(text['i18n'])) return `${path} needs content or i18n`;
  return undefined;
}

function elementProblem(element: unknown, path: string): string | undefined {
  if (!isObject(element)) return `${path} must be an object`;
  const tag = String(element['tag']);
  if (!ELEMENT_TAGS.has(tag) && tag !== 'button') return `${path}.tag ${tag} is not a card element`;
  if (tag === 'div') {
    if (element['text'] !== undefined) return textProblem(element['text'], `${path}.text`);
    if (!Array.isArray(element['fields'])) return `${path} needs text or fields`;
  }
  if (tag === 'markdown' && typeof element['content'] !== 'string') return `${path}.content must be a string`;
  if (tag === 'action') {
    const actions = element['actions'];
    if (!Array.isArray(actions) || actions.length === 0) return `${path}.actions must be a non-empty list`;
    for (const [index, action] of actions.entries()) {
      const problem = buttonProblem(action, `${path}.actions[${index}]`);
      if (problem) return problem;
    }
  }
  if (tag === 'button') return buttonProblem(element, path);
  return undefined;
}

function buttonProblem(button: unknown, path: string): string | undefined {
  if (!isObject(button) || button['tag'] !== 'button') return `${path} must be a button`;
  const text = textProblem(button['text'], `${path}.text`);
  if (text) return text;
  if (button['type'] !== undefined && !BUTTON_TYPES.has(button['type'] as string))
    return `${path}.type is not a button type`;
  if (button['url'] !== undefined && button['multi_url'] !== undefined)
    return `${path}: url and multi_url are exclusive`;
  if (
    button['url'] !== undefined &&
    (typeof button['url'] !== 'string' || !/^https?:\/\//.test(button['url']))
  )
    return `${path}.url must be http(s)`;
  // The SDKs only support object callback values (docs/feishu-notes.md §8.3).
  if (button['value'] !== undefined && !isObject(button['value'])) return `${path}.value must be an object`;
  return undefined;
}
