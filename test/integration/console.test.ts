// Functions passed to page.evaluate run in the browser, where the DOM types apply.
/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { startEmbeddedGateway } from '../helpers/embedded-gateway.js';
import { openConsoleBrowser, waitForText, type ConsoleBrowser } from '../helpers/console-browser.js';
import { startTestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

const ADMIN_KEY = 'console-admin-key-5b1f0e7c9d';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const AUTH = {
  auth: { apiKeys: [{ name: 'ops', sha256: sha256(ADMIN_KEY), scopes: ['admin'] }] },
  // A channel with secret settings, to show the console never reveals them.
  channels: [
    { id: 'mock', plugin: 'mock' },
    { id: 'feishu', plugin: 'feishu-webhook' },
  ],
};
const WEBHOOK_TOKEN = 'c0ffee00-secret-hook-token-7d3a';
const SIGNING_SECRET = 'signing-secret-5f2e9b';

interface Gateway {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/** A Connect JSON call as any other service would make it, with the admin key. */
async function rpc(baseUrl: string, method: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/notify.v1.${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method}: ${JSON.stringify(json)}`);
  return json;
}

async function statusOf(baseUrl: string, id: string): Promise<string> {
  const answer = await rpc(baseUrl, 'NotificationService/GetNotification', { id });
  return (answer.notification as { status: string }).status;
}

async function trigger(
  baseUrl: string,
  userId: string,
  triggerId: string,
  metadata: Record<string, string> = {},
) {
  const answer = await rpc(baseUrl, 'NotificationService/Trigger', {
    user_id: userId,
    trigger_id: triggerId,
    message: { text: `console check ${triggerId}` },
    channels: ['mock'],
    metadata,
  });
  return (answer.notifications as { id: string }[])[0]!.id;
}

async function logIn(page: Page, key: string): Promise<void> {
  await page.waitForSelector('input[name=api_key]');
  await page.$eval('input[name=api_key]', (input) => (input.value = ''));
  await page.type('input[name=api_key]', key);
  await page.keyboard.press('Enter');
}

const STORES: Array<[string, () => Promise<Gateway>]> = [
  ['embedded default (SQLite, in-process bus)', () => startEmbeddedGateway(AUTH)],
  ['MariaDB and RabbitMQ', () => startTestGateway(AUTH)],
];

describe.each(STORES)('operator console on %s', (_name, start) => {
  let gateway: Gateway;
  let browser: ConsoleBrowser;

  beforeAll(async () => {
    gateway = await start();
    browser = await openConsoleBrowser('en');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('refuses a wrong key with a clear message, then logs in with the right one', async () => {
    const { page } = browser;
    await page.goto(`${gateway.baseUrl}/console/`);
    await logIn(page, 'not-the-key');
    await page.waitForSelector('[data-testid=login-error]');
    const message = await page.$eval('[data-testid=login-error]', (el) => el.textContent ?? '');
    expect(message).toContain('refused this API key');
    // A good key reloads the page (the shell starts over with the key in sessionStorage).
    await Promise.all([page.waitForNavigation(), logIn(page, ADMIN_KEY)]);
    await waitForText(page, 'Last hour, per minute');
    expect(browser.errors).toEqual([]);
  });

  it('finds a triggered notification by user, opens it and shows SENT with its attempt', async () => {
    const { page } = browser;
    const id = await trigger(gateway.baseUrl, 'u-console', 'console-sent-1');
    await waitFor(async () => (await statusOf(gateway.baseUrl, id)) === 'NOTIFICATION_STATUS_SENT', 'SENT');
    await page.goto(`${gateway.baseUrl}/console/notifications`);
    // A locator retries when a re-render replaces the element between finding and typing.
    await page.locator('input[name=user_id]').fill('u-console');
    await page.keyboard.press('Enter');
    // The unfiltered list may show the same link first: wait for the search, then click through a
    // locator, which retries when the filtered list replaces the element.
    await page.waitForFunction(() => location.search.includes('user_id=u-console'));
    expect(page.url()).toContain('/console/notifications?user_id=u-console');
    await page.locator(`a[href="/console/notifications/${id}"]`).click();
    await page.waitForSelector('[data-testid=attempts] li');
    expect(page.url()).toBe(`${gateway.baseUrl}/console/notifications/${id}`);
    expect(await page.$eval('[data-testid=notification-status]', (el) => el.textContent)).toBe('SENT');
    const attempt = await page.$eval('[data-testid=attempts] li', (el) => el.textContent ?? '');
    expect(attempt).toContain('#1');
    expect(attempt).toContain('SUCCESS');
    expect(browser.errors).toEqual([]);
  });

  it("shows an event's decision trace and links it both ways with its notification", async () => {
    const { page } = browser;
    await rpc(gateway.baseUrl, 'ConfigService/UpsertChannelConfig', {
      user_id: 'u-ev-1',
      channel: 'mock',
      enabled: true,
    });
    const published = await rpc(gateway.baseUrl, 'EventService/PublishEvent', {
      event: {
        event_id: 'console-ev-1',
        type: 'task.overdue',
        summary: 'Task 42 is overdue',
        user_ids: ['u-ev-1', 'u-ev-2'],
      },
    });
    const id = (published.notifications as { id: string }[])[0]!.id;
    await page.goto(`${gateway.baseUrl}/console/events/console-ev-1`);
    await page.waitForSelector('[data-testid=decisions] tbody tr');
    const trace = await page.$eval('[data-testid=decisions]', (el) => el.textContent ?? '');
    expect(trace).toContain('notified');
    expect(trace).toContain('no_channel_config');
    expect(trace).toContain('u-ev-2');
    await page.click(`[data-testid=decisions] a[href="/console/notifications/${id}"]`);
    await page.waitForSelector('[data-testid=event-link]');
    expect(await page.$eval('[data-testid=event-link]', (el) => el.getAttribute('href'))).toBe(
      '/console/events/console-ev-1',
    );
    expect(browser.errors).toEqual([]);
  });

  it('acknowledges a notification after confirmation, and shows a refused recall with its code', async () => {
    const { page } = browser;
    const id = await trigger(gateway.baseUrl, 'u-ack', 'console-ack-1');
    await waitFor(async () => (await statusOf(gateway.baseUrl, id)) === 'NOTIFICATION_STATUS_SENT', 'SENT');
    await page.goto(`${gateway.baseUrl}/console/notifications/${id}`);
    await page.waitForSelector('[data-testid=action-acknowledge] button');
    expect(await page.$eval('[data-testid=acknowledged]', (el) => el.textContent)).toBe('—');
    await page.click('[data-testid=action-acknowledge] button');
    await page.click('[data-testid=action-acknowledge] button.danger');
    await waitForText(page, 'Acknowledge: done.');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=acknowledged]')?.textContent?.includes('console') === true,
    );
    const stored = await rpc(gateway.baseUrl, 'NotificationService/GetNotification', { id });
    expect((stored.notification as { acknowledgedBy: string }).acknowledgedBy).toBe('console');

    // The mock channel cannot recall: the gateway's FAILED_PRECONDITION is shown as it is.
    await page.click('[data-testid=action-recall] button');
    await page.click('[data-testid=action-recall] button.danger');
    await page.waitForSelector('[data-testid=action-recall] .error');
    expect(await page.$eval('[data-testid=action-recall] .error', (el) => el.textContent)).toContain(
      'FAILED_PRECONDITION',
    );
    expect(browser.errors).toEqual([]);
  });

  it('redrives a dead notification from /console/dead after a dry run, and it reaches SENT', async () => {
    const { page } = browser;
    const id = await trigger(gateway.baseUrl, 'u-dead', 'console-dead-1', {
      mock_outcomes: 'permanent_fail:mock_recipient_gone,success',
    });
    await waitFor(async () => (await statusOf(gateway.baseUrl, id)) === 'NOTIFICATION_STATUS_DEAD', 'DEAD');
    await page.goto(`${gateway.baseUrl}/console/dead`);
    await page.waitForSelector('[data-testid="dead-group-mock_recipient_gone"]');
    await page.click('[data-testid="redrive-mock_recipient_gone"] button');
    // The dry run reports and changes nothing.
    await waitForText(page, '1 notifications would be redriven.');
    expect(await statusOf(gateway.baseUrl, id)).toBe('NOTIFICATION_STATUS_DEAD');
    await page.click('[data-testid="redrive-mock_recipient_gone"] button.danger');
    await waitForText(page, '1 notifications redriven.');
    await waitFor(
      async () => (await statusOf(gateway.baseUrl, id)) === 'NOTIFICATION_STATUS_SENT',
      'SENT after redrive',
    );
    expect(browser.errors).toEqual([]);
  });

  it('retries one dead notification from its page, only after confirmation', async () => {
    const { page } = browser;
    const id = await trigger(gateway.baseUrl, 'u-dead', 'console-dead-2', {
      mock_outcomes: 'permanent_fail:mock_recipient_gone,success',
    });
    await waitFor(async () => (await statusOf(gateway.baseUrl, id)) === 'NOTIFICATION_STATUS_DEAD', 'DEAD');
    await page.goto(`${gateway.baseUrl}/console/notifications/${id}`);
    await page.waitForSelector('[data-testid=action-retry] button');
    await page.click('[data-testid=action-retry] button');
    await page.waitForSelector('[data-testid=action-retry] button.danger');
    expect(await page.$eval('[data-testid=action-retry]', (el) => el.textContent)).toContain(
      'Really Retry this notification?',
    );
    expect(await statusOf(gateway.baseUrl, id)).toBe('NOTIFICATION_STATUS_DEAD');
    await page.click('[data-testid=action-retry] button.danger');
    await waitForText(page, 'Retry: done.');
    await waitFor(
      async () => (await statusOf(gateway.baseUrl, id)) === 'NOTIFICATION_STATUS_SENT',
      'SENT after retry',
    );
    await page.reload();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=notification-status]')?.textContent === 'SENT',
    );
    expect(browser.errors).toEqual([]);
  });

  it('overview counts what happened: SENT by channel, sends and failures this hour, the error code', async () => {
    const { page } = browser;
    await page.goto(`${gateway.baseUrl}/console/`);
    await page.waitForSelector('[data-testid=status-counts]');
    const counts = await page.$eval('[data-testid=status-counts]', (el) => el.textContent ?? '');
    expect(counts).toContain('SENT');
    expect(counts).toContain('mock');
    const sent = await page.$eval('[data-testid=chart-sent]', (el) => el.textContent ?? '');
    // Two sends so far (the first notification and the retried dead one), one permanent failure.
    expect(Number(/\d+/.exec(sent)?.[0])).toBeGreaterThanOrEqual(2);
    const failed = await page.$eval('[data-testid=chart-failed]', (el) => el.textContent ?? '');
    expect(Number(/\d+/.exec(failed)?.[0])).toBeGreaterThanOrEqual(1);
    expect(await page.$eval('[data-testid=recent-errors]', (el) => el.textContent)).toContain(
      'mock_recipient_gone',
    );
    expect(await page.$eval('[data-testid=dead-letter-count]', (el) => el.textContent)).toBe('0');
    expect(browser.errors).toEqual([]);
  });

  it('shows an RPC error clearly: cancelling a SENT notification is refused by the gateway', async () => {
    const { page } = browser;
    const id = await trigger(gateway.baseUrl, 'u-cancel', 'console-cancel-1', {
      mock_outcomes: 'temporary_fail',
    });
    await waitFor(
      async () => (await statusOf(gateway.baseUrl, id)) === 'NOTIFICATION_STATUS_FAILED',
      'FAILED',
    );
    await page.goto(`${gateway.baseUrl}/console/notifications/${id}`);
    await page.waitForSelector('[data-testid=action-cancel] button');
    // The record may move on (retry → SENDING) between the page load and the click: the gateway's
    // answer, success or FAILED_PRECONDITION, must be shown either way.
    await page.click('[data-testid=action-cancel] button');
    await page.click('[data-testid=action-cancel] button.danger');
    await page.waitForSelector('[data-testid=action-cancel] .ok, [data-testid=action-cancel] .error');
    const shown = await page.$eval('[data-testid=action-cancel]', (el) => el.textContent ?? '');
    expect(shown).toMatch(/Cancel: done\.|FAILED_PRECONDITION/);
    expect(browser.errors).toEqual([]);
  });

  it('serves every page, deep links included, with a strict CSP and no request to another origin', async () => {
    const { page } = browser;
    const origin = new URL(gateway.baseUrl).origin;
    for (const path of ['', 'notifications?status=sent', 'jobs', 'channels', 'users/u-console', 'dead']) {
      const response = await page.goto(`${gateway.baseUrl}/console/${path}`);
      expect([200, 304]).toContain(response?.status());
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.waitForSelector('main h1');
    }
    expect(browser.requestUrls.filter((url) => !url.startsWith(origin))).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('never shows the API key in the DOM, a URL or a response', async () => {
    const { page } = browser;
    await page.goto(`${gateway.baseUrl}/console/notifications`);
    await page.waitForSelector('main h1');
    expect(await page.content()).not.toContain(ADMIN_KEY);
    expect(browser.requestUrls.some((url) => url.includes(ADMIN_KEY))).toBe(false);
    expect(browser.responseBodies.some((body) => body.includes(ADMIN_KEY))).toBe(false);
    const cookies = await page.cookies();
    expect(cookies).toEqual([]);
  });
  it('shows channel settings masked: neither the webhook URL token nor the signing secret reaches the page', async () => {
    const { page } = browser;
    await rpc(gateway.baseUrl, 'ConfigService/UpsertChannelConfig', {
      user_id: 'u-secret',
      channel: 'feishu',
      enabled: true,
      settings: {
        webhook_url: `https://open.feishu.cn/open-apis/bot/v2/hook/${WEBHOOK_TOKEN}`,
        secret: SIGNING_SECRET,
      },
    });
    await page.goto(`${gateway.baseUrl}/console/users/u-secret`);
    await page.waitForSelector('[data-testid=user-channel-feishu]');
    const html = await page.content();
    expect(html).toContain('webhook_url');
    for (const secret of [WEBHOOK_TOKEN, SIGNING_SECRET]) {
      expect(html).not.toContain(secret);
      expect(browser.responseBodies.some((body) => body.includes(secret))).toBe(false);
    }
    expect(browser.errors).toEqual([]);
  });
});

describe('operator console without keys (loopback, auth disabled)', () => {
  it('renders every page in zh-CN and en (screenshots linked from the README)', async () => {
    const gateway = await startEmbeddedGateway();
    try {
      const sent = await trigger(gateway.baseUrl, 'u-shot', 'shot-1');
      await trigger(gateway.baseUrl, 'u-shot', 'shot-2', {
        mock_outcomes: 'permanent_fail:mock_recipient_gone',
      });
      await waitFor(
        async () => (await statusOf(gateway.baseUrl, sent)) === 'NOTIFICATION_STATUS_SENT',
        'SENT',
      );
      await rpc(gateway.baseUrl, 'ConfigService/UpsertChannelConfig', {
        user_id: 'u-shot',
        channel: 'mock',
        enabled: true,
      });
      await rpc(gateway.baseUrl, 'EventService/PublishEvent', {
        event: {
          event_id: 'shot-ev',
          type: 'task.overdue',
          severity: 'SEVERITY_CRITICAL',
          summary: 'Task 42 is overdue',
          user_ids: ['u-shot', 'u-nobody'],
          attributes: { team: 'sre', assignee: 'u-shot' },
        },
      });
      const pages: Array<[string, string]> = [
        ['overview', ''],
        ['notifications', 'notifications?user_id=u-shot'],
        ['notification', `notifications/${sent}`],
        ['dead', 'dead'],
        ['event', 'events/shot-ev'],
        ['jobs', 'jobs'],
        ['users', 'users/u-shot'],
        ['channels', 'channels'],
      ];
      for (const language of ['zh-CN', 'en'] as const) {
        const browser = await openConsoleBrowser(language);
        try {
          for (const [name, path] of pages) {
            await browser.page.goto(`${gateway.baseUrl}/console/${path}`);
            await browser.page.waitForSelector('main h1');
            await browser.page.waitForNetworkIdle({ idleTime: 200 });
            // Every page shows its data, not an error.
            expect(await browser.page.$('p.error[role=alert]'), `${name} ${language}`).toBeNull();
            expect(await browser.page.evaluate(() => document.documentElement.lang)).toBe(language);
            await browser.screenshot(`${name}-${language}`);
          }
          expect(browser.errors).toEqual([]);
        } finally {
          await browser.close();
        }
      }
    } finally {
      await gateway.stop();
    }
  });

  it('needs no login, switches language and stays usable on a phone-sized screen', async () => {
    const gateway = await startEmbeddedGateway();
    const browser = await openConsoleBrowser('zh-CN', { width: 390, height: 844 });
    try {
      const { page } = browser;
      await page.goto(`${gateway.baseUrl}/console/`);
      await waitForText(page, '最近一小时');
      expect(await page.$('input[name=api_key]')).toBeNull();
      await browser.screenshot('overview-zh-CN-phone');
      await page.select('[data-testid=language]', 'en');
      await waitForText(page, 'Last hour, per minute');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      // Keyboard: Tab reaches the navigation links.
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.tagName);
      expect(focused).toBe('A');
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
      await gateway.stop();
    }
  });
});
