/** What the browser tests share: Debian's Chromium (playwright-core drives it) and signing in as a person does. */
import type { Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The API's sign-in page (`signInUrl` carries where to return), the key typed into its form once,
 * the form posted: from here the browser holds only the HttpOnly session cookie. The caller waits
 * for the page the sign-in returns to.
 */
export async function signInWithKey(page: Page, signInUrl: string, key: string): Promise<void> {
  await page.goto(signInUrl);
  await page.fill('input[name=key]', key);
  await page.click('form[action="/sign-in"] button[type=submit]');
}
