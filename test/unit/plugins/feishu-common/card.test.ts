import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/contract/index.js';
import { parseCardConfig } from '../../../../src/plugins/feishu-common/card/card-config.js';
import { cardInputOf, type CardState } from '../../../../src/plugins/feishu-common/card/card-input.js';
import { renderCard } from '../../../../src/plugins/feishu-common/card/render-card.js';
import type { SendRequest } from '../../../../src/core/contract/index.js';

const request = (overrides: Partial<SendRequest> = {}): SendRequest => ({
  notificationId: 'n-1',
  idempotencyKey: 'k',
  attemptNo: 1,
  userId: 'u',
  channel: 'c',
  text: 'Disk full',
  triggerId: 't',
  triggerType: 'disk_full',
  target: { type: 'host', id: 'db-7', url: 'https://ops.example/db-7' },
  settings: {},
  metadata: {},
  traceId: 'tr',
  signal: new AbortController().signal,
  locale: 'en_us',
  severity: 'critical',
  ...overrides,
});

const OPTIONS = { ackButton: true, ackButtonText: '' };
const noTemplates = parseCardConfig({}, 'c');

function card(req: SendRequest, state?: CardState) {
  const rendered = renderCard(cardInputOf(req, state), noTemplates, OPTIONS);
  if (rendered.kind !== 'card') throw new Error(rendered.reason);
  return rendered.card as { header: { template: string; title: { content: string } }; elements: unknown[] };
}

describe('built-in card', () => {
  it.each([
    ['critical', 'red'],
    ['warning', 'orange'],
    ['info', 'blue'],
    ['bogus', 'blue'],
  ])('severity %s → %s header', (severity, colour) => {
    expect(card(request({ severity })).header.template).toBe(colour);
  });

  it('turns green once resolved, says when, and drops the Acknowledge button', () => {
    const resolved = card(request(), { resolvedAt: new Date('2026-01-02T03:04:00Z') });
    expect(resolved.header.template).toBe('green');
    expect(resolved.header.title.content).toBe('[Resolved] disk_full');
    expect(JSON.stringify(resolved.elements)).toContain('Resolved at 2026-01-02 03:04 UTC');
    expect(JSON.stringify(resolved.elements)).not.toContain('"action":"ack"');
  });

  it('speaks zh_cn by default and for unknown locales', () => {
    expect(card(request({ locale: undefined })).header.title.content).toBe('[严重] disk_full');
    expect(card(request({ locale: 'fr_fr' })).header.title.content).toBe('[严重] disk_full');
  });

  it('an acknowledged card names who acknowledged it', () => {
    const acked = card(request(), {
      acknowledgedBy: 'alice',
      acknowledgedAt: new Date('2026-01-02T03:04:00Z'),
    });
    expect(JSON.stringify(acked.elements)).toContain('Acknowledged by alice (2026-01-02 03:04 UTC)');
  });

  it('falls back to text when the card exceeds the size limit', () => {
    const rendered = renderCard(cardInputOf(request({ text: 'x'.repeat(40_000) })), noTemplates, OPTIONS);
    expect(rendered.kind).toBe('fallback');
    expect(rendered.kind === 'fallback' && rendered.reason).toContain('Feishu accepts at most 30720');
  });
});

describe('card templates', () => {
  it('fills values JSON-escaped and picks the locale, else zh_cn, else default', () => {
    const config = parseCardConfig(
      {
        cardTemplates: {
          disk_full: { zh_cn: { json: '{"elements":[{"tag":"markdown","content":"zh {{text}}"}]}' } },
          default: { en_us: { templateId: 'AAq1', templateVersion: '1.0.0' } },
        },
      },
      'c',
    );
    const rendered = renderCard(cardInputOf(request({ text: 'a "b"\nc' })), config, OPTIONS);
    expect(rendered).toMatchObject({
      kind: 'card',
      card: { elements: [{ tag: 'markdown', content: 'zh a "b"\nc' }] },
    });
    const builder = renderCard(cardInputOf(request({ triggerType: 'other' })), config, OPTIONS);
    expect(builder).toMatchObject({
      kind: 'card',
      card: {
        type: 'template',
        data: {
          template_id: 'AAq1',
          template_version_name: '1.0.0',
          template_variable: { severity: 'critical' },
        },
      },
    });
  });

  it('a template that is not JSON stops the boot naming its path (inline and file)', () => {
    const bad = { cardTemplates: { x: { en_us: { json: '{"elements": [' } } } };
    expect(() => parseCardConfig(bad, 'channels[1].config')).toThrow(ConfigError);
    expect(() => parseCardConfig(bad, 'channels[1].config')).toThrow(
      'channels[1].config.cardTemplates.x.en_us.json',
    );
    const dir = mkdtempSync(join(tmpdir(), 'cards-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"elements": }');
    expect(() => parseCardConfig({ cardTemplates: { x: { zh_cn: { file } } } }, 'c')).toThrow(
      `c.cardTemplates.x.zh_cn.file (${file})`,
    );
    expect(() => parseCardConfig({ cardTemplates: { x: { de_de: { json: '{}' } } } }, 'c')).toThrow(
      'c.cardTemplates.x.de_de',
    );
  });
});
