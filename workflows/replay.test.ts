/**
 * Determinism guard: every recorded history in workflows/histories replays against the
 * current workflow code. A change that would break visits already running fails here;
 * such a change needs `patched()` (DESIGN.md §4), then re-recorded histories.
 */
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflows } from '../app/worker';
import { HISTORIES_DIR } from '../test/histories';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

test('there are recorded histories to replay', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'visit-paid.json',
      'visit-denied-corrected.json',
      'visit-patient-paid.json',
      'patient-balance-paid.json',
      'patient-balance-collections.json',
    ]),
  );
});

test.each(files)('%s replays against the current workflow code', async (file) => {
  const history: unknown = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')); // the CLI/UI export format
  await expect(Worker.runReplayHistory({ workflowBundle: await bundleWorkflows() }, history, file)).resolves.toBeUndefined();
});
