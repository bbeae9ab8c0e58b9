/** Locales the built-in card is written in; any other locale renders as zh_cn. */
export type CardLocale = 'zh_cn' | 'en_us';

/** The built-in card's words in one locale. */
export interface CardLabels {
  readonly severity: Readonly<Record<string, string>>;
  readonly severityTitle: string;
  readonly open: string;
  readonly preview: string;
  readonly acknowledge: string;
  readonly acknowledgedBy: (name: string, at: string) => string;
  readonly resolvedAt: (at: string) => string;
  readonly acknowledgedToast: string;
}

const LABELS: Readonly<Record<CardLocale, CardLabels>> = {
  zh_cn: {
    severity: { critical: '严重', warning: '警告', info: '通知', resolved: '已恢复' },
    severityTitle: '级别',
    open: '查看详情',
    preview: '预览',
    acknowledge: '确认',
    acknowledgedBy: (name, at) => `已由 ${name} 确认（${at}）`,
    resolvedAt: (at) => `已于 ${at} 恢复`,
    acknowledgedToast: '已确认',
  },
  en_us: {
    severity: { critical: 'Critical', warning: 'Warning', info: 'Info', resolved: 'Resolved' },
    severityTitle: 'Severity',
    open: 'Open',
    preview: 'Preview',
    acknowledge: 'Acknowledge',
    acknowledgedBy: (name, at) => `Acknowledged by ${name} (${at})`,
    resolvedAt: (at) => `Resolved at ${at}`,
    acknowledgedToast: 'Acknowledged',
  },
};

/** Normalizes a user's locale to one the card speaks (zh_cn when unset or unknown). */
export function cardLocale(locale: string | undefined): CardLocale {
  return locale === 'en_us' ? 'en_us' : 'zh_cn';
}

/** The built-in card's words for `locale`. */
export function labelsFor(locale: CardLocale): CardLabels {
  return LABELS[locale];
}
