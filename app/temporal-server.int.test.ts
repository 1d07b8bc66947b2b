/**
 * The production shape on one machine, as a new user runs it: `npm start -- --temporal=postgres`
 * (the real Temporal server on the stack's Postgres, and the standalone Web UI server beside
 * it) prints the UI's address; a visit runs through it; the UI, opened in headless Chromium,
 * lists the visit and shows its workflow page, and shows the patient decoded only to a
 * biller who signed in (the codec endpoint answers the browser's session, nobody else).
 *
 * Needs the server and the UI built by scripts/temporal-server-build.sh (about 15 minutes
 * cold, once per clone, into .tools/temporal/bin) and Debian chromium: without them the test
 * is skipped, and its name says which is missing.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { removeRelocatedPostgres } from './postgres';
import { SIGN_IN_MESSAGE } from './temporal-ui-gateway';
import { sampleVisit, signedEncounter } from '../test/fixtures';
import { freePort } from '../test/ports';
import { CHROMIUM, signInWithKey } from '../test/browser';

const root = join(__dirname, '..');
const BIN = join(root, '.tools', 'temporal', 'bin');
const missing = [
  ...['temporal-server', 'temporal-sql-tool', 'ui-server']
    .filter((b) => !existsSync(join(BIN, b)))
    .map((b) => `${b} is not built (run scripts/temporal-server-build.sh, about 15 minutes cold)`),
  ...(existsSync(CHROMIUM) ? [] : [`${CHROMIUM} is missing (scripts/tools.sh installs Debian chromium when run as root)`]),
];
const TITLE = 'npm start -- --temporal=postgres: the Temporal Web UI';
const suite = missing.length ? describe.skip : describe;
if (missing.length) console.warn(`${TITLE}: skipped: ${missing.join('; ')}`);

/** A port nothing listens on now. */

async function isFree(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The real server's eight internal ports (TEMPORAL_INTERNAL_PORTS_FROM..+7), all free, below the 32767 the server can store. */
async function freeRange(n: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let all = true;
    for (let p = base; p < base + n && all; p++) all = await isFree(p);
    if (all) return base;
  }
}

/** `npm start`'s "  <part>   <where>" lines, as it prints them. */
const printed = (out: string, part: string) => new RegExp(`^ {2}${part.replace(/[()]/g, '\\$&')} +(\\S+)`, 'm').exec(out)?.[1];

const until = async <T>(check: () => Promise<T | undefined | false>): Promise<T> => {
  for (;;) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
};

/** Signs the browser in as the holder of `key`, the way a biller does, and waits to be back on `returnTo`. */
async function signIn(page: Page, apiUrl: string, key: string, returnTo: string): Promise<void> {
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(returnTo)),
    signInWithKey(page, `${apiUrl}/sign-in?return=${encodeURIComponent(returnTo)}`, key),
  ]);
}

suite(missing.length ? `${TITLE} (skipped: ${missing.join('; ')})` : TITLE, () => {
  let dataDir: string;
  let start: ChildProcess;
  let out = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // Under /tmp but reachable by the postgres user, so the cluster stays in it when run as root.
    dataDir = mkdtempSync(join(tmpdir(), 'revcycle-uipg-'));
    chmodSync(dataDir, 0o755);
    const ports = [
      'EMBEDDED_PG_PORT',
      'TEMPORAL_DEV_PORT',
      'TEMPORAL_UI_PORT',
      'API_PORT',
      'MLLP_LISTEN_PORT',
      'SIM_EHR_PORT',
      'SIM_PMS_HTTP_PORT',
      'SIM_PMS_MLLP_PORT',
      'SIM_CLEARINGHOUSE_PORT',
    ];
    env = {
      ...process.env,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_UI_URL: '',
      API_PUBLIC_URL: '',
      TEMPORAL_UI_ORIGINS: '',
      PATIENT_STATEMENT_DAYS: 'none',
      TEMPORAL_INTERNAL_PORTS_FROM: String(await freeRange(8)),
    };
    for (const p of ports) env[p] = String(await freePort());
    start = spawn(process.execPath, ['--import', 'tsx', join(root, 'app', 'start.ts'), '--temporal=postgres'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (d) => (out += d));
    start.stderr!.on('data', (d) => process.stderr.write(`[npm start] ${d}`));
    await until(async () => {
      if (start.exitCode !== null) throw new Error(`npm start exited with ${start.exitCode}:\n${out}`);
      return out.includes('revcycle is up');
    });
  }, 10 * 60_000);

  afterAll(async () => {
    if (start && start.exitCode === null) {
      await new Promise((r) => {
        start.once('exit', r);
        start.kill('SIGTERM'); // npm start stops every part it started (runMain), the UI and the server among them
      });
    }
    if (dataDir) {
      // Temporal's and the UI server's own log, kept for whoever reads a failure.
      mkdirSync(join(root, 'test-results'), { recursive: true });
      if (existsSync(join(dataDir, 'temporal.log'))) copyFileSync(join(dataDir, 'temporal.log'), join(root, 'test-results', 'temporal-ui-postgres.log'));
      removeRelocatedPostgres(join(dataDir, 'pg'));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  test(
    'prints the Web UI address; a biller finds the visit in the UI and reads it decoded once signed in',
    async () => {
      const uiUrl = printed(out, 'Temporal Web UI');
      expect(uiUrl).toBe(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
      expect(out).toMatch(/Temporal +127\.0\.0\.1:\d+ \(server on Postgres/);
      const apiUrl = printed(out, 'API')!;
      const adminKey = readFileSync(printed(out, 'Admin key (dev)')!, 'utf8').trim();
      const auth = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

      // A visit through the stack: booked, signed in the EHR, paid, closed.
      const visit = sampleVisit(`uipg-${Date.now().toString(36)}`);
      visit.patient.lastName = 'QUILLFEATHER'; // a name found nowhere else on the page
      const booked = await fetch(`${apiUrl}/visits`, { method: 'POST', headers: auth, body: JSON.stringify(visit) });
      expect(booked.status).toBe(201);
      const ehrUrl = `http://127.0.0.1:${env.SIM_EHR_PORT}`;
      await until(
        async () =>
          (
            await fetch(`${ehrUrl}/sim/encounters`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(signedEncounter(visit.visitId)),
            })
          ).status === 201,
      );
      await until(async () => ((await (await fetch(`${apiUrl}/visits/${visit.visitId}`, { headers: auth })).json()) as { stage?: string }).stage === 'closed');

      // A biller's key, made the way an admin makes one, against this stack's database.
      const created = await promisify(execFile)(
        process.execPath,
        [join(root, 'cli', 'revcycle.js'), 'keys', 'create', '--role', 'biller', '--name', 'temporal ui test'],
        { cwd: root, env },
      );
      const billerKey = /rck_\S+/.exec(created.stdout)![0];

      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
        // Every answer the UI's codec calls get from the API.
        const decodes: number[] = [];
        page.on('response', (r) => {
          if (r.url().startsWith(`${apiUrl}/codec/decode`) && r.request().method() === 'POST') decodes.push(r.status());
        });
        const workflowId = `visit-${visit.visitId}`;
        // The list, served by ui-server from the server on Postgres, holds the visit; its link opens the workflow page.
        await page.goto(`${uiUrl}/namespaces/default/workflows`);
        await page.locator(`a[href*="/workflows/${workflowId}/"]`).first().click();
        await page.waitForURL(new RegExp(`/namespaces/default/workflows/${workflowId}/[0-9a-f-]+/`));
        await page.getByText('visitWorkflow').first().waitFor();
        await page.getByText('Completed').first().waitFor();
        const workflowPage = page.url();

        // Not signed in: the UI asked the codec endpoint (so it is pointed there), was refused, and no patient detail reached the page.
        await until(async () => decodes.length > 0);
        expect(new Set(decodes)).toEqual(new Set([401]));
        expect(await page.content()).not.toContain('QUILLFEATHER');
        // ...and the UI's own banner says what to do.
        await page.getByText(SIGN_IN_MESSAGE).first().waitFor();
        mkdirSync(join(root, 'test-results'), { recursive: true });
        await page.screenshot({ path: join(root, 'test-results', 'temporal-ui-postgres-signed-out.png'), fullPage: true });

        await signIn(page, apiUrl, billerKey, workflowPage);
        await page.getByText('QUILLFEATHER').first().waitFor();
        expect(decodes).toContain(200);
        await page.screenshot({ path: join(root, 'test-results', 'temporal-ui-postgres.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    },
    10 * 60_000,
  );
});
