/**
 * The workbench in a real browser (Debian Chromium through playwright-core) over the real
 * stack: a coder signs in, opens Coding review, filters it by payer, opens the visit whose
 * encounter was signed with the header code M54.5, accepts M54.50 with the keyboard, and the
 * visit goes on to a claim; a second coder acting on the same item gets a conflict in words;
 * a front-desk user opens the same visit and sees no codes; a biller writes off an underpaid
 * visit's variance with a reason; nobody signed in is asked to sign in. Screenshots go to
 * test-results/, axe-core finds no serious or critical violation, and nothing scrolls sideways
 * at a small laptop's width.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { StartVisit } from '../domain/visit';
import { sampleVisit } from './fixtures';
import { bookAndSign, reach, startTestStack, type TestStack } from './stack';
import { eventually, uniqueId } from './support';
import { CHROMIUM, signInWithKey } from './browser';

/** The page's globals, for functions evaluated in the browser (the CSP forbids evaluating strings). */
interface BrowserGlobals {
  document: { body: { dataset: Record<string, string | undefined> }; activeElement: { id: string } };
  axe: {
    run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }>;
  };
}

const RESULTS = join(__dirname, '..', 'test-results');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const browserTest = existsSync(CHROMIUM) ? test : test.skip;
if (!existsSync(CHROMIUM))
  console.warn(`${CHROMIUM} is missing: the workbench browser tests are skipped (scripts/tools.sh installs Debian chromium when run as root)`);

jest.setTimeout(150_000);

let stack: TestStack;
let browser: Browser;
// A payer id unique to this run: Temporal's visibility (and so every queue) is shared with other test files.
const payer = `WB${uniqueId('').slice(1, 7)}`;
let visitId: string;
let lastName: string;

/** A visit the payer paid below the contracted amount (the simulator's SHORT-1 member): a biller writes the variance off. */
let writeOffId: string;

/** Books a visit for `payerId` and signs its encounter with the header code M54.5: it waits in coding review. */
async function inCodingReview(payerId: string): Promise<StartVisit> {
  const visit = sampleVisit(uniqueId('v'), 'W555000222');
  visit.coverage.payerId = payerId;
  expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
  await reach(stack, visit.visitId, 'awaiting_encounter');
  await stack.ehr.signEncounter({
    visitId: visit.visitId,
    renderingNpi: '1234567893',
    diagnoses: [{ code: 'M54.5', rank: 1 }],
    procedures: [{ code: '99213', diagnosisPointers: [1] }],
  });
  await reach(stack, visit.visitId, 'coding_review');
  return visit;
}

beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest' });
  const [visit, underpaid] = await Promise.all([inCodingReview(payer), bookAndSign(stack, 'SHORT-1')]);
  visitId = visit.visitId;
  lastName = visit.patient.lastName;
  writeOffId = underpaid;
  expect((await reach(stack, writeOffId, 'needs_attention')).awaitingAction).toBe('underpaid');
  if (existsSync(CHROMIUM)) {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }
  mkdirSync(RESULTS, { recursive: true });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Console errors, page errors and failed requests: none is expected on any page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 409/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('requestfailed', (r) => problems.push(`${r.url()} ${r.failure()?.errorText}`));
  return problems;
}

/** Signs in on its own browser context (its own cookie jar) with a key of `role`, landing on the workbench. */
async function signIn(role: 'coder' | 'front_desk' | 'biller'): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } }); // a laptop's width
  const page = await context.newPage();
  const problems = watch(page);
  const { key } = await stack.as(role);
  await signInWithKey(page, `${stack.apiUrl}/sign-in?return=%2Fworkbench`, key);
  await page.waitForURL(`${stack.apiUrl}/workbench`);
  await settled(page, 'queues', 0);
  return { page, problems };
}

const loaded = (page: Page) => page.evaluate(() => Number((globalThis as unknown as BrowserGlobals).document.body.dataset.loaded ?? 0));
/** Waits for the page to finish showing `view` after the `before`-th render. */
async function settled(page: Page, view: string, before: number): Promise<void> {
  await page.waitForFunction(
    ([v, n]) =>
      (globalThis as unknown as BrowserGlobals).document.body.dataset.view === v &&
      Number((globalThis as unknown as BrowserGlobals).document.body.dataset.loaded ?? 0) > Number(n),
    [view, before] as const,
  );
}

/**
 * axe-core's check of what the page shows now: the serious and critical violations, as `rule: target`.
 * The page's CSP (script-src 'self') refuses an injected <script> (page.addScriptTag), and it should:
 * axe's source is evaluated through the DevTools protocol instead, which the CSP does not govern.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    (globalThis as unknown as BrowserGlobals).axe.run((globalThis as unknown as BrowserGlobals).document, { resultTypes: ['violations'] }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.help}): ${n.target.join(' ')}`));
}

browserTest('nobody signed in: the workbench offers a sign-in link, not a header error', async () => {
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(`${stack.apiUrl}/workbench`);
  await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.view === 'signed-out');
  expect(await page.isVisible('#signed-out')).toBe(true);
  expect(await page.getAttribute('#sign-in', 'href')).toBe('/sign-in?return=%2Fworkbench');
  expect(await page.textContent('body')).not.toMatch(/Authorization|Bearer/);
  expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
  await page.close();
});

browserTest(
  'a coder opens Coding review, accepts M54.50 for the visit signed with M54.5, and the visit goes on to a claim; a second coder gets a conflict',
  async () => {
    const { page, problems } = await signIn('coder');
    const other = await signIn('coder');

    // The queue list: Coding review with this visit; axe finds nothing serious.
    const codingRow = page.locator('tr[data-queue=coding_review]');
    expect(Number(await codingRow.locator('td.count').textContent())).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(RESULTS, 'workbench-queues.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // Keyboard only: focus the queue's link and press Enter; then filter by the payer.
    let n = await loaded(page);
    await codingRow.locator('a').focus();
    await page.keyboard.press('Enter');
    await settled(page, 'queue', n);
    n = await loaded(page);
    await page.selectOption('#payer', payer);
    await settled(page, 'queue', n);
    const rows = page.locator('#items tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-visit')).toBe(visitId);
    expect(await page.textContent('#queue-title')).toBe('Coding review (1)');

    // The item: the finding in words, the deadline, the history, a link to the Temporal UI.
    n = await loaded(page);
    await rows.first().locator('a').focus();
    await page.keyboard.press('Enter');
    await settled(page, 'visit', n);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement.id)).toBe('visit-title');
    expect(await page.textContent('#findings')).toMatch(/M54\.5 \(Low back pain\) is a header code, not billable .*use a more specific code, e\.g\. M54\.50/);
    expect(await page.textContent('#facts')).toContain('M54.5');
    expect(await page.textContent('#deadlines')).toMatch(/Queue SLA/);
    expect(await page.locator('#history li').count()).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('#history')).toContain('coding review');
    expect(await page.getAttribute('#temporal-link a', 'href')).toMatch(new RegExp(`/namespaces/default/workflows/visit-${visitId}$`));
    expect(await page.textContent('body')).not.toContain(lastName); // a coder gets no patient
    await page.screenshot({ path: join(RESULTS, 'workbench-item.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // The second coder has the same item open, before the first acts.
    await other.page.goto(`${stack.apiUrl}/workbench#visit/${visitId}`);
    await settled(other.page, 'visit', 0);

    // Accept M54.50 with the keyboard: the same POST /visits/:id/coding/suggestions a REST client sends.
    n = await loaded(page);
    await page.locator('button[data-choice="M54.50"]').focus();
    await page.keyboard.press('Enter');
    await settled(page, 'visit', n);
    expect(await page.getAttribute('#action-result', 'data-outcome')).toBe('ok');
    expect(await page.textContent('#action-result')).toContain('Accepted M54.50.');

    const claimed = await eventually(
      async () => {
        const v = (await stack.api.get(`/visits/${visitId}`)).body;
        return v.claims?.length >= 1 && v;
      },
      { what: 'the visit to have a claim' },
    );
    expect(claimed.coding.diagnoses.map((d: { code: string }) => d.code.replace('.', ''))).toEqual(['M5450']);
    const audit = await stack.db('audit_log').where({ visit_id: visitId, action: 'visit.coding.suggestion' });
    expect(audit.map((a) => a.detail.outcome)).toEqual(['accepted']);

    // The second coder still sees the old finding and clicks it: a conflict, said in words, and the page shows the visit as it is now.
    const m = await loaded(other.page);
    await other.page.click('button[data-choice="M54.50"]');
    await settled(other.page, 'visit', m);
    expect(await other.page.getAttribute('#action-result', 'data-outcome')).toBe('INVALID_STAGE');
    expect(await other.page.textContent('#action-result')).toContain('Someone else has already acted on this visit');
    expect(await other.page.locator('button[data-choice="M54.50"]').count()).toBe(0);

    expect(problems).toEqual([]);
    expect(other.problems).toEqual([]);
    await page.context().close();
    await other.page.context().close();
  },
);

browserTest('a front-desk user opens the visit by its id and sees the patient but no codes', async () => {
  const { page, problems } = await signIn('front_desk');
  expect(await page.isVisible('#no-queues')).toBe(true); // front desk does not work the queues
  const n = await loaded(page);
  await page.fill('#visit-id', visitId);
  await page.keyboard.press('Enter');
  await settled(page, 'visit', n);
  const text = await page.textContent('#visit-view');
  expect(text).toContain(lastName);
  expect(text).toContain('not shown to your role');
  expect(text).not.toMatch(/M54|99213/);
  expect(await seriousViolations(page)).toEqual([]);
  // A small laptop: the visit's columns stack, nothing is cut off or scrolls sideways.
  await page.setViewportSize({ width: 1024, height: 700 });
  expect(
    await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth <= d.clientWidth;
    }),
  ).toBe(true);
  expect(problems.filter((p) => !/status of 403/.test(p))).toEqual([]);
  await page.context().close();
});

browserTest(
  "a biller writes off an underpaid visit's variance with a reason from the Underpaid queue; a second write-off of the closed visit is told it is closed",
  async () => {
    const { page, problems } = await signIn('biller');
    const stale = await signIn('biller');
    await stale.page.goto(`${stack.apiUrl}/workbench#visit/${writeOffId}`);
    await settled(stale.page, 'visit', 0);

    let n = await loaded(page);
    await page.click('tr[data-queue=underpaid] a');
    await settled(page, 'queue', n);
    n = await loaded(page);
    await page.click(`tr[data-visit="${writeOffId}"] a`);
    await settled(page, 'visit', n);
    // 99214 billed $195.00, contracted $146.25 on the 87726 schedule, paid $19.50 short.
    expect(await page.textContent('#facts')).toContain('Underpaid line 1');
    expect(await page.textContent('#facts')).toContain('99214: $19.50 below the contracted $146.25');
    expect(await page.textContent('#facts')).toContain('M54.50'); // billers read the codes

    n = await loaded(page);
    await page.fill('#write-off-reason', 'variance under the appeal threshold');
    await page.click('#write-off-form button[type=submit]');
    await settled(page, 'visit', n);
    expect(await page.getAttribute('#action-result', 'data-outcome')).toBe('ok');
    await reach(stack, writeOffId, 'closed');

    const m = await loaded(stale.page);
    await stale.page.fill('#write-off-reason', 'written off twice?');
    await stale.page.click('#write-off-form button[type=submit]');
    await settled(stale.page, 'visit', m);
    expect(await stale.page.getAttribute('#action-result', 'data-outcome')).toBe('VISIT_CLOSED');
    expect(await stale.page.textContent('#action-result')).toContain('This visit is closed');
    expect(await stale.page.isVisible('#action-result')).toBe(true);
    expect(await stale.page.isVisible('#actions-card')).toBe(false); // shown as it is now: closed, no actions
    // Both were the REST call, audited as such: one accepted, one refused.
    const audit = await stack.db('audit_log').where({ visit_id: writeOffId, action: 'visit.write_off' }).orderBy('id');
    expect(audit.map((a) => a.detail.outcome)).toEqual(['accepted', 'refused']);

    expect(problems).toEqual([]);
    expect(stale.problems).toEqual([]);
    await page.context().close();
    await stale.page.context().close();
  },
);
