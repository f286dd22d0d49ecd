import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (never `npx playwright install`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go (gitignored). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'artifacts', 'screenshots');

/** Launches headless Chromium; one per test file, closed in afterAll. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The two widths every page is checked at: a small phone and a laptop. */
export const WIDTHS = { phone: 360, laptop: 1280 } as const;

/** A full-page screenshot to artifacts/screenshots/<name>-<width>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}-${page.viewportSize()?.width ?? 0}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Screenshots the page as it is at both widths, then restores the viewport. */
export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? { width: WIDTHS.laptop, height: 800 };
  for (const width of [WIDTHS.phone, WIDTHS.laptop]) {
    await page.setViewportSize({ width, height: width === WIDTHS.phone ? 740 : 800 });
    await screenshot(page, name);
  }
  await page.setViewportSize(before);
}

/**
 * On a new staff account's setup page (opened from its link), sets a password and signs in, as a
 * new member of staff does; returns once the first staff page is shown.
 */
export async function setPasswordAndSignIn(page: Page): Promise<void> {
  await page.getByLabel('New password').fill('a long and happy passphrase');
  await page.getByLabel('Type it again').fill('a long and happy passphrase');
  await page.getByRole('button', { name: 'Save password and sign in' }).click();
  await page.waitForURL(/\/staff\/[a-z]+$/);
}
