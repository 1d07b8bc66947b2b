/** npm start's supervisor: a child that crashes after start-up is started again; one that never comes up fails the start with its last words. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { supervise } from './supervisor';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'supervisor-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = (name: string, body: string) => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};

test('a child that dies after it was ready is restarted, and stop() stops it for good', async () => {
  // Crashes once (the marker file tells the second run it already did), then stays up.
  const marker = join(dir, 'crashed');
  const path = script(
    'crash-once.js',
    `
    const fs = require('node:fs');
    console.log('child ready');
    if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); setTimeout(() => process.exit(3), 50); }
    else setInterval(() => {}, 1000);
  `,
  );
  const lines: string[] = [];
  const child = await supervise({ name: 'crashy', script: path, env: {}, ready: /child ready/, out: (l) => lines.push(l) });
  const first = child.pid();
  while (child.restarts() === 0 || lines.filter((l) => l === 'child ready').length < 2) await new Promise((r) => setTimeout(r, 100));
  expect(child.pid()).not.toBe(first);
  await child.stop();
  const pid = child.pid()!;
  expect(() => process.kill(pid, 0)).toThrow(); // gone
});

test('a child that exits before it is ready fails the start, with what it said', async () => {
  const path = script('bad-config.js', `console.error('revcycle worker: invalid configuration: DATABASE_URL: required'); process.exit(1);`);
  await expect(supervise({ name: 'worker', script: path, env: {}, ready: /never/, out: () => {} })).rejects.toThrow(
    /worker exited \(1\) before it was ready: .*DATABASE_URL: required/,
  );
});
