/**
 * Reporting end to end: visits driven through the real stack (paid, denied then paid,
 * rejected, coding review, inactive coverage) leave their events in visit_events; the
 * KPIs agree with SQL over those events; a work queue lists what Temporal visibility
 * lists; and the dashboard draws them in headless Chromium and redraws on a filter.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { queueVisits } from '../db/reports';
import { visibilityQuery, WORK_QUEUES } from '../domain/reporting/work-queues';
import type { StartVisit } from '../domain/visit';
import { sampleVisit } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { eventually, uniqueId } from './support';
import { CHROMIUM, signInWithKey } from './browser';

/** What the page's globals look like, for the functions evaluated in the browser (the CSP forbids evaluating strings). */
interface BrowserGlobals {
  document: { body: { dataset: Record<string, string | undefined> } };
  Chart: { getChart(id: string): { data: { labels: string[] } } };
}

const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

/** Not clean: a code with no fee schedule entry, which the scrubber sends to coding review. */
const signed = (visitId: string, clean = true) => ({
  visitId,
  renderingNpi: '1234567893',
  diagnoses: [{ code: 'M54.50', rank: 1 }],
  procedures: [
    { code: clean ? '99213' : '99397', modifiers: clean ? ['25'] : [], units: 1, diagnosisPointers: [1] }, // 25: the E/M is separate from the injection (NCCI)
    { code: '20610', modifiers: ['RT'], units: 1, diagnosisPointers: [1] },
  ],
});

jest.setTimeout(120_000);

describe('reporting over a real stack', () => {
  let stack: TestStack;
  // Payer ids unique to this run: Temporal's visibility is shared with other test files.
  const payerA = `PA${uniqueId('').slice(1, 7)}`;
  const payerB = `PB${uniqueId('').slice(1, 7)}`;
  const visits: Record<string, StartVisit> = {};

  const visit = (name: string, memberId: string, payerId: string, serviceDate: string) => {
    const v = sampleVisit(uniqueId(name), memberId);
    v.coverage.payerId = payerId;
    v.appointment.serviceDate = serviceDate;
    visits[name] = v;
    return v;
  };

  beforeAll(async () => {
    stack = await startTestStack({ pmsMode: 'rest' });
    const plan: [string, string, string, string, 'sign' | 'bad' | 'none'][] = [
      ['paid1', 'W100000001', payerA, day(3), 'sign'],
      ['paid2', 'W100000002', payerA, day(10), 'sign'],
      ['denied', 'DENY000001', payerB, day(5), 'sign'],
      ['rejected', 'REJNPI00001', payerB, day(100), 'sign'], // rejected for the rendering NPI: the claim data queue
      ['rejected2', 'REJNPI00002', payerA, day(40), 'sign'],
      ['review', 'W100000003', payerA, day(2), 'bad'],
      ['inactive', 'INACT00001', payerB, day(1), 'none'],
    ];
    for (const [name, member, payer, date] of plan) {
      const res = await stack.api.post('/visits').send(visit(name, member, payer, date));
      expect(res.status).toBe(201);
    }
    for (const [name, , , , sign] of plan) {
      const v = visits[name];
      if (sign === 'none') continue;
      await reach(stack, v.visitId, 'awaiting_encounter');
      await stack.ehr.signEncounter(signed(v.visitId, sign === 'sign'));
    }
    await reach(stack, visits.paid1.visitId, 'closed');
    await reach(stack, visits.paid2.visitId, 'closed');
    await reach(stack, visits.denied.visitId, 'closed');
    await reach(stack, visits.rejected.visitId, 'claim_rejected');
    await reach(stack, visits.rejected2.visitId, 'claim_rejected');
    await reach(stack, visits.review.visitId, 'coding_review');
    await reach(stack, visits.inactive.visitId, 'awaiting_coverage');
  }, 180_000);
  afterAll(() => stack?.stop());

  test('every step of a visit is one event in visit_events, with its payer, codes and amounts', async () => {
    const events = await stack.db('visit_events').where({ visit_id: visits.denied.visitId }).orderBy('id');
    expect(events.map((e) => e.event_type)).toEqual([
      'visit_booked',
      'eligibility_checked',
      'stage_changed',
      'encounter_signed',
      'charges_posted',
      'claim_submitted',
      'claim_accepted',
      'claim_accepted',
      'remittance_posted',
      'stage_changed',
      'claim_submitted',
      'claim_accepted',
      'claim_accepted',
      'remittance_posted',
      'visit_closed',
    ]);
    const remits = events.filter((e) => e.event_type === 'remittance_posted');
    expect(remits.map((e) => [e.claim_attempt, e.carc_codes])).toEqual([
      [1, ['CO-16']],
      [2, []],
    ]);
    expect(events.every((e) => e.payer_id === payerB && e.provider_npi === '1234567893')).toBe(true);
    const submitted = events.find((e) => e.event_type === 'claim_submitted');
    expect(submitted.cpt_codes).toEqual(['99213', '20610']);
    expect(Number(submitted.amount_cents)).toBeGreaterThan(0);
    // No names, birth dates or member ids anywhere in the table.
    const all = JSON.stringify(await stack.db('visit_events'));
    for (const v of Object.values(visits)) {
      expect(all).not.toContain(v.coverage.memberId);
      expect(all).not.toContain(v.patient.lastName);
    }
  });

  test('GET /reports/kpis and SQL over visit_events give the same first-pass rate; CSV on request', async () => {
    const res = await stack.api.get('/reports/kpis').query({ from: day(120), to: day(0) });
    expect(res.status).toBe(200);
    const { rows } = await stack.db.raw(`
      SELECT count(DISTINCT visit_id) FILTER (WHERE event_type = 'claim_accepted' AND detail->>'source' = '277CA') AS accepted,
             count(DISTINCT visit_id) AS decided
      FROM visit_events
      WHERE claim_attempt = 1 AND (event_type = 'claim_rejected' OR (event_type = 'claim_accepted' AND detail->>'source' = '277CA'))`);
    expect(res.body.firstPassAcceptance).toEqual({ accepted: Number(rows[0].accepted), decided: Number(rows[0].decided), rate: expect.any(Number) });
    // paid1, paid2, denied accepted; rejected, rejected2 rejected by the payer's front end.
    expect(res.body.firstPassAcceptance).toMatchObject({ accepted: 3, decided: 5, rate: 0.6 });
    expect(res.body.denialRate.byPayer).toEqual([
      { key: payerB, adjudicated: 1, denied: 1, denialRate: 1 },
      { key: payerA, adjudicated: 2, denied: 0, denialRate: 0 },
    ]);
    expect(res.body.denialRate.byCarcCategory).toEqual([{ category: 'missing_information', denied: 1, denialRate: 0.3333 }]);
    // The rejected claims are open AR: one 100 days old (91-120) for payer B, one 40 days (31-60) for payer A.
    const ar = Object.fromEntries(res.body.arAging.byPayer.map((p: { payerId: string; buckets: object }) => [p.payerId, p.buckets]));
    expect(ar[payerB]['91-120']).toBeGreaterThan(0);
    expect(ar[payerA]['31-60']).toBeGreaterThan(0);
    const cpt = Object.fromEntries(res.body.cptRevenue.map((c: { code: string }) => [c.code, c]));
    // Latest claim lines of the three adjudicated visits (the denied one was replaced and paid); the
    // rejected ones are billed and not answered. The deductible takes the 99213s, the 20610s are paid.
    expect(cpt['99213'].billedCents).toBe(5 * 13500);
    expect(cpt['20610'].paidCents).toBeGreaterThan(0);
    expect(res.body.cptRevenue.reduce((t: number, c: { deniedCents: number }) => t + c.deniedCents, 0)).toBe(0);
    expect(res.body.cleanClaimRate).toMatchObject({ submitted: 5, clean: 5 });

    const onlyA = await stack.api.get('/reports/kpis').query({ from: day(120), to: day(0), payerId: payerA });
    expect(onlyA.body.firstPassAcceptance).toMatchObject({ accepted: 2, decided: 3 });

    const csv = await stack.api
      .get('/reports/kpis')
      .query({ from: day(120), to: day(0) })
      .set('accept', 'text/csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')).toContain('first_pass_acceptance_rate,all,,0.6');

    const bad = await stack.api.get('/reports/kpis').query({ from: '2026-13-01', cpt: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['cpt', 'from']);
  });

  test('a work queue lists what Temporal visibility lists, oldest first, with reason, age, deadline and action', async () => {
    const query = `ExecutionStatus = 'Running' AND AwaitingAction IN ('coding_review') AND PayerId = '${payerA}'`;
    const fromTemporal = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const w of stack.temporal.workflow.list({ query })) ids.push(w.workflowId.replace(/^visit-/, ''));
        return ids.length === 1 && ids;
      },
      { what: 'Temporal visibility to list the coding-review visit' },
    );
    const res = await stack.api.get('/work-queues/coding_review').query({ payerId: payerA });
    expect(res.status).toBe(200);
    expect(res.body.visits.map((v: { visitId: string }) => v.visitId)).toEqual(fromTemporal);
    expect(res.body.visits[0]).toMatchObject({
      visitId: visits.review.visitId,
      awaitingAction: 'coding_review',
      stage: 'coding_review',
      payerId: payerA,
      overdue: false,
      action: `correct the coding (POST /visits/${visits.review.visitId}/coding)`,
    });
    expect(res.body.visits[0].temporalUiUrl).toMatch(new RegExp(`/namespaces/default/workflows/visit-${visits.review.visitId}$`));
    expect(decodeURIComponent(res.body.temporalUiUrl)).toContain("AwaitingAction IN ('coding_review')");

    const rejected = await stack.api.get('/work-queues/claim_rejected').query({ payerId: payerB });
    expect(rejected.body.visits.map((v: { visitId: string }) => v.visitId)).toEqual([visits.rejected.visitId]);

    const all = await stack.api.get('/work-queues');
    const coverage = all.body.queues.find((q: { id: string }) => q.id === 'coverage');
    expect(coverage.count).toBeGreaterThanOrEqual(1);
    expect(coverage.postgresCount).toBe(1); // this test's database holds only this test's visits
    expect((await stack.api.get('/work-queues/nope')).status).toBe(404);
    const frontDesk = await stack.as('front_desk');
    expect((await frontDesk.get('/work-queues')).status).toBe(403);
    expect((await request(stack.apiUrl).get('/reports/kpis')).status).toBe(401);
  });

  test('every Postgres work queue holds exactly the visits its visibility query lists', async () => {
    let compared = 0;
    for (const q of WORK_QUEUES) {
      for (const payerId of [payerA, payerB]) {
        const ids: string[] = [];
        for await (const w of stack.temporal.workflow.list({ query: `${visibilityQuery(q)} AND PayerId = '${payerId}'` }))
          ids.push(w.workflowId.replace(/^visit-/, ''));
        const inPostgres = await queueVisits(stack.db, q.awaitingActions, { limit: 100, payerId });
        expect([q.id, payerId, inPostgres.map((v) => v.visitId).sort()]).toEqual([q.id, payerId, ids.sort()]);
        compared += ids.length;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(4); // coverage, coding review and two rejected claims
  });

  const browserTest = existsSync(CHROMIUM) ? test : test.skip;
  if (!existsSync(CHROMIUM))
    console.warn(`${CHROMIUM} is missing: the dashboard browser test is skipped (scripts/tools.sh installs Debian chromium when run as root)`);

  browserTest('the dashboard draws the KPIs in Chromium with no console errors, and a payer filter redraws it', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('requestfailed', (r) => problems.push(`${r.url()} ${r.failure()?.errorText}`));
      const analyst = await stack.as('analyst');
      // No one signed in: the page asks the person to sign in (no key box, no header error).
      const outside = await browser.newPage();
      await outside.goto(`${stack.apiUrl}/dashboard`);
      await outside.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.loading === 'signed-out');
      expect(await outside.isVisible('#signed-out')).toBe(true);
      expect(await outside.textContent('#signed-out')).toContain('Sign in');
      expect(await outside.locator('input[type=password]').count()).toBe(0);
      await outside.close();

      // Signing in: the key goes once in a form POST, then the page holds only an HttpOnly session cookie.
      await signInWithKey(page, `${stack.apiUrl}/sign-in?return=%2Fdashboard`, analyst.key);
      await page.waitForURL(`${stack.apiUrl}/dashboard`);
      await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.loaded === '1');
      expect(await page.content()).not.toContain(analyst.key);
      expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe(''); // HttpOnly: no script reads it
      await page.fill('#from', day(120));
      await page.click('#filters button[type=submit]');
      await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.loaded === '2');

      const arLabels = () => page.evaluate(() => (globalThis as unknown as BrowserGlobals).Chart.getChart('chart-ar').data.labels);
      expect((await arLabels()).sort()).toEqual([payerA, payerB].sort());
      for (const id of ['chart-ar', 'chart-denials', 'chart-cpt', 'chart-firstpass']) {
        expect(Number(await page.getAttribute(`#${id}`, 'data-points'))).toBeGreaterThan(0);
      }
      expect(await page.textContent('#tiles')).toContain('60.0%'); // first-pass acceptance, 3 of 5
      // An analyst sees visits waiting in coding review by their age, with no id or link that leads to the patient.
      expect(await page.locator('tr[data-queue=coding_review] a[href*="/workflows/visit-"]').count()).toBe(0);
      const html = await page.content();
      for (const v of Object.values(visits)) {
        expect(html).not.toContain(v.patient.lastName);
        expect(html).not.toContain(v.visitId);
      }

      mkdirSync(join(__dirname, '..', 'test-results'), { recursive: true });
      await page.screenshot({ path: join(__dirname, '..', 'test-results', 'dashboard.png'), fullPage: true });

      await page.selectOption('#payer', payerA);
      await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.loaded === '3');
      expect(await arLabels()).toEqual([payerA]);
      expect(await page.textContent('#tiles')).toContain('66.7%'); // payer A: 2 of 3
      // This run's one visit in coding review, by its age (filtered to this run's payer: Temporal's visibility is shared with other test files).
      expect(await page.locator('tr[data-queue=coding_review] span.age').count()).toBe(1);
      expect(await page.locator('tr[data-queue=coding_review] a[href*="/workflows/visit-"]').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
