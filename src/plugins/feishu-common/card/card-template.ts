import { readFileSync } from 'node:fs';
import { ConfigError, parseStrictObject, readString } from '../../../core/contract/index.js';

/**
 * A configured card: a card JSON template whose string values hold `{{var}}` placeholders, or a
 * card built in Feishu's card builder (template_id, optional version) filled with variables.
 */
export type CardTemplate =
  | { readonly kind: 'json'; readonly source: string }
  | { readonly kind: 'builder'; readonly templateId: string; readonly templateVersion: string };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/**
 * Parses one template entry (`{ json }`, `{ file }` or `{ templateId, templateVersion? }`). A JSON
 * template is checked as JSON here, at boot, with placeholders blanked, so a broken one stops the
 * gateway naming its config path (and file) instead of failing every send.
 */
export function parseCardTemplate(raw: unknown, path: string): CardTemplate {
  const record = parseStrictObject(raw, path, ['json', 'file', 'templateId', 'templateVersion']);
  const given = ['json', 'file', 'templateId'].filter((key) => record[key] !== undefined);
  if (given.length !== 1) throw new ConfigError(path, 'needs exactly one of json, file, templateId');
  if (record['templateId'] !== undefined) {
    return {
      kind: 'builder',
      templateId: readString(record, 'templateId', path),
      templateVersion: readString(record, 'templateVersion', path, ''),
    };
  }
  if (record['templateVersion'] !== undefined) {
    throw new ConfigError(`${path}.templateVersion`, 'only goes with templateId');
  }
  let source: string;
  let where = `${path}.json`;
  if (record['file'] !== undefined) {
    const file = readString(record, 'file', path);
    where = `${path}.file (${file})`;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(where, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  } else {
    source = readString(record, 'json', path);
  }
  try {
    const parsed: unknown = JSON.parse(source.replace(PLACEHOLDER, ''));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('the card must be a JSON object');
    }
  } catch (error) {
    throw new ConfigError(where, `is not a valid card JSON template: ${(error as Error).message}`);
  }
  return { kind: 'json', source };
}

/** A rendered card, or why it could not be rendered. */
export type RenderedTemplate =
  | { readonly kind: 'card'; readonly card: Record<string, unknown> }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Fills a template. Values are JSON-escaped, so a quote or newline in a variable cannot break
 * out of its string; a variable the template names but the notification lacks fails the render.
 */
export function renderCardTemplate(
  template: CardTemplate,
  variables: Readonly<Record<string, string>>,
): RenderedTemplate {
  if (template.kind === 'builder') {
    const data: Record<string, unknown> = { template_id: template.templateId, template_variable: variables };
    if (template.templateVersion !== '') data['template_version_name'] = template.templateVersion;
    return { kind: 'card', card: { type: 'template', data } };
  }
  const missing: string[] = [];
  const filled = template.source.replace(PLACEHOLDER, (_match, name: string) => {
    const value = variables[name];
    if (value === undefined) {
      missing.push(name);
      return '';
    }
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.length > 0) return { kind: 'failed', reason: `card variables missing: ${missing.join(', ')}` };
  try {
    return { kind: 'card', card: JSON.parse(filled) as Record<string, unknown> };
  } catch (error) {
    return { kind: 'failed', reason: `card template did not render to JSON: ${(error as Error).message}` };
  }
}
