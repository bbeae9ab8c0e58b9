import { ConfigError, parseStrictObject, readString } from '../../../core/contract/index.js';
import { parseCardTemplate, type CardTemplate } from './card-template.js';

/** Card templates by trigger (or event) type, then by locale; `default` applies to every type. */
export type CardTemplates = ReadonlyMap<string, ReadonlyMap<string, CardTemplate>>;

/** The card keys both Feishu plugins accept. */
export interface CardConfig {
  readonly cardTemplates: CardTemplates;
  /** Preview link with `{{preview_id}}`; the built-in card shows a Preview button when set. */
  readonly previewUrl: string;
}

/** The card config keys, for the plugins' strict key lists. */
export const CARD_CONFIG_KEYS = ['cardTemplates', 'previewUrl'] as const;

const LOCALES = ['zh_cn', 'en_us'];

/** Parses `cardTemplates` and `previewUrl` from a plugin's config record. */
export function parseCardConfig(record: Record<string, unknown>, path: string): CardConfig {
  const previewUrl = readString(record, 'previewUrl', path, '');
  if (previewUrl !== '' && !/^https?:\/\//.test(previewUrl)) {
    throw new ConfigError(`${path}.previewUrl`, 'must be an http(s) URL');
  }
  const templates = new Map<string, ReadonlyMap<string, CardTemplate>>();
  const rawTemplates = record['cardTemplates'];
  const byType = parseStrictObject(rawTemplates, `${path}.cardTemplates`, Object.keys(rawTemplates ?? {}));
  for (const [type, perLocale] of Object.entries(byType)) {
    const typePath = `${path}.cardTemplates.${type}`;
    const locales = parseStrictObject(perLocale, typePath, LOCALES);
    const parsed = new Map<string, CardTemplate>();
    for (const [locale, template] of Object.entries(locales)) {
      parsed.set(locale, parseCardTemplate(template, `${typePath}.${locale}`));
    }
    if (parsed.size === 0) throw new ConfigError(typePath, `needs a template for zh_cn or en_us`);
    templates.set(type, parsed);
  }
  return { cardTemplates: templates, previewUrl };
}

/** The template for a trigger type in a locale: exact type, then `default`; the locale, then any. */
export function pickTemplate(
  templates: CardTemplates,
  type: string,
  locale: string,
): CardTemplate | undefined {
  const perLocale = templates.get(type) ?? templates.get('default');
  if (!perLocale) return undefined;
  return perLocale.get(locale) ?? perLocale.get('zh_cn') ?? perLocale.values().next().value;
}
