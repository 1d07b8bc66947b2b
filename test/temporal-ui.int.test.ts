/**
 * The Temporal Web UI as billing operations use it, in headless Chromium: the dev server's
 * own UI (the pinned `temporal` CLI, behind app/temporal-ui-gateway.ts as `npm start`
 * runs it), the API with its codec, a worker, and a visit whose payloads are sealed.
 *
 * - No one signed in: the visit's page shows no patient name, and the UI's codec banner
 *   says to sign in, linking to revcycle's sign-in page.
 * - A biller signed in once (API key exchanged on the sign-in page): the same page shows the
 *   workflow's input decoded (the patient's name), the current details in words, and the
 *   status query's answer; every decode is in the audit trail under the biller's key.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { uiCodec } from '../app/stack';
import { startTemporalDevServer, type DevServer } from '../app/temporal-dev';
import { SIGN_IN_MESSAGE } from '../app/temporal-ui-gateway';
import { sampleVisit } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { eventually, uniqueId } from './support';
import { freePort } from './ports';
import { CHROMIUM, signInWithKey } from './browser';

const browserTest = existsSync(CHROMIUM) ? test : test.skip;
if (!existsSync(CHROMIUM))
  console.warn(`${CHROMIUM} is missing: the Temporal UI browser test is skipped (scripts/tools.sh installs Debian chromium when run as root)`);
const RESULTS = join(__dirname, '..', 'test-results');

/** Whether the page or one of its frames shows `text`. */
async function inAnyFrame(page: Page, text: string): Promise<boolean> {
  for (const frame of page.frames()) {
    if ((await frame.content().catch(() => '')).includes(text)) return true;
  }
  return false;
}

/** A name no other text on the page could contain by chance. */
const LAST_NAME = 'QUILLFEATHER';

describe('the Temporal Web UI shows a visit decoded to a signed-in biller, and sealed with a sign-in message to anyone else', () => {
  let dir: string;
  let dev: DevServer;
  let stack: TestStack;
  let browser: Browser;
  let visitId: string;
  let workflowPage: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'revcycle-ui-'));
    const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    dev = await startTemporalDevServer({
      dataDir: dir,
      port: temporalPort,
      uiPort,
      namespace: 'default',
      codec: uiCodec(`http://127.0.0.1:${apiPort}`, uiPort),
    });
    stack = await startTestStack({ temporalAddress: dev.address, apiPort, env: { TEMPORAL_UI_PORT: String(uiPort) } });
    const visit = sampleVisit(uniqueId('v'));
    visit.patient.lastName = LAST_NAME;
    visitId = visit.visitId;
    const booked = await stack.api.post('/visits').send(visit);
    expect(booked.status).toBe(201);
    await reach(stack, visitId, 'awaiting_encounter');
    workflowPage = `${dev.uiUrl}/namespaces/default/workflows/visit-${visitId}`;
    if (existsSync(CHROMIUM)) {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    }
    mkdirSync(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await dev?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const openVisit = async (page: Page) => {
    await page.goto(workflowPage);
    await page.getByText(`visit-${visitId}`).first().waitFor();
  };

  browserTest('no one signed in: the input stays sealed and the codec banner asks the person to sign in', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const page = await context.newPage();
    await openVisit(page);
    const banner = page.getByText(SIGN_IN_MESSAGE);
    await banner.waitFor();
    const link = page.locator(`a[href^="${stack.apiUrl}/sign-in"]`);
    expect(await link.count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-signed-out.png'), fullPage: true });
    expect(await page.content()).not.toContain(LAST_NAME);
    await context.close();
  });

  browserTest('a biller signs in once and reads the decoded input, the current details and the status query', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const page = await context.newPage();
    const biller = await stack.as('biller');
    // The sign-in link of the UI's banner: the key goes once, in a form POST; back to the UI after.
    await signInWithKey(page, uiCodec(stack.apiUrl, Number(new URL(dev.uiUrl).port)).signInUrl, biller.key);
    await page.waitForURL(`${dev.uiUrl}/**`);

    await openVisit(page);
    await page.getByText(LAST_NAME).first().waitFor();
    expect(await page.getByText(SIGN_IN_MESSAGE).count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-signed-in.png'), fullPage: true });

    // The current details, set by the workflow and sealed like any payload, in words.
    await page.getByText('User Metadata', { exact: true }).first().click();
    // The UI renders details as Markdown in a sandboxed frame of its own.
    await eventually(() => inAnyFrame(page, 'Stage awaiting_encounter, waiting for encounter signature'), { what: 'the current details in words' });

    // The status query: its answer is sealed too.
    await page.getByText('Queries', { exact: true }).first().click();
    await page.getByText('Run Query', { exact: true }).first().click();
    await page.getByText('"awaiting_encounter"').first().waitFor();
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-status-query.png'), fullPage: true });

    // Activity results: the eligibility answer (copay and deductible) is in no input, only in checkEligibility's sealed result.
    await page.getByText('Event History').first().click();
    await page.getByText('copayCents').first().waitFor();
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-history.png'), fullPage: true });
    expect(await page.getByText(SIGN_IN_MESSAGE).count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'temporal-ui-signed-in.png'), fullPage: true });

    const decodes = await eventually(
      async () => {
        const rows = await stack.db('audit_log').where({ action: 'codec.decode', actor: `key:${biller.key.split('_')[1]}` });
        return rows.length > 0 && rows;
      },
      { what: "the biller's codec.decode audit rows" },
    );
    expect(decodes.length).toBeGreaterThan(0);
    await context.close();
  });
});
