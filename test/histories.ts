/**
 * Recorded workflow histories guard determinism: workflows/replay.test.ts replays every
 * file in workflows/histories against the current workflow code. `npm run record:histories`
 * re-records them (do that only for a deliberate, patched() change of behaviour). They are
 * written by the Temporal CLI, in the JSON the Web UI and CLI export.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath } from '../app/tools';
import { temporalAddress } from './support';

export const HISTORIES_DIR = join(__dirname, '..', 'workflows', 'histories');

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const json = execFileSync(toolPath('temporal'), ['workflow', 'show', '--workflow-id', handle.workflowId, '--address', temporalAddress(), '--output', 'json']);
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), json);
}
