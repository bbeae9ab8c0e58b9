// Functions passed to page.evaluate run in the browser, where the DOM types apply.
/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Debian's chromium (the `chromium` package): no browser is ever downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where console screenshots are written, and linked from the README. */
export const SCREENSHOT_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../docs/console',
);

/** A headless Chromium on a page that records every JavaScript error and every RPC answer body. */
export interface ConsoleBrowser {
  readonly browser: Browser;
  readonly page: Page;
  /** Uncaught exceptions and console.error lines of the page (a test fails on any). */
  readonly errors: string[];
  /** Text of every response body the page received (to check no secret comes back). */
  readonly responseBodies: string[];
  /** Every request URL the page made (to check all stay on the gateway's origin). */
  readonly requestUrls: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts Chromium with a browser language (`zh-CN` or `en`) and opens one page. */
export async function openConsoleBrowser(language: 'zh-CN' | 'en', viewport = { width: 1280, height: 860 }) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Root in CI has no user namespaces for the sandbox; the pages are our own console on loopback.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--lang=${language}`],
    env: {
      ...process.env,
      LANGUAGE: language.replace('-', '_'),
      LANG: `${language.replace('-', '_')}.UTF-8`,
    },
  });
  const page = await browser.newPage();
  await page.setViewport(viewport);
  await page.setExtraHTTPHeaders({ 'accept-language': language });
  await page.evaluateOnNewDocument((lang: string) => {
    Object.defineProperty(navigator, 'languages', { get: () => [lang] });
  }, language);
  const errors: string[] = [];
  const responseBodies: string[] = [];
  const requestUrls: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${String(error)}`));
  page.on('console', (message) => {
    // Chrome reports every 4xx answer (a refused key: 401) as "Failed to load resource"; that is the
    // RPC's answer, shown by the console, not a script error.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console.error: ${message.text()}`);
    }
  });
  page.on('request', (request) => requestUrls.push(request.url()));
  page.on('response', (response) => {
    if (response.request().method() === 'OPTIONS') return;
    response.buffer().then(
      (body) => responseBodies.push(body.toString('latin1')),
      () => undefined,
    );
  });
  return {
    browser,
    page,
    errors,
    responseBodies,
    requestUrls,
    async screenshot(name: string) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    close: () => browser.close(),
  } satisfies ConsoleBrowser;
}

/** Waits until the page's text contains `text`. */
export async function waitForText(page: Page, text: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(
    (wanted: string) => document.body.innerText.includes(wanted),
    { timeout: timeoutMs },
    text,
  );
}
