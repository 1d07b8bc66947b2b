/** The benchmark reads a visit's cost and stage times from its history: checked on the recorded paid visit. */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HISTORIES_DIR } from '../test/histories';
import { costOf } from './history';
import { percentiles } from './measure';

const paid = costOf(historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, 'visit-paid.json'), 'utf8'))));

test('a paid visit: its shape, the baseline copies, is counted from the events', () => {
  expect(paid.shape.activities).toBeGreaterThanOrEqual(8); // intake, EHR, eligibility, encounter, charges, claim, acks, remittance, close
  expect(paid.shape.signals).toBeGreaterThanOrEqual(3); // encounter signed, 999/277CA, 835
  // One upsert per stage change (8 stages) plus the claim's keys, none repeating an unchanged value (was 22).
  expect(paid.shape.upserts).toBeGreaterThanOrEqual(8);
  expect(paid.shape.upserts).toBeLessThanOrEqual(15);
  expect(paid.events).toBeGreaterThan(paid.shape.activities * 3 + paid.shape.signals + paid.shape.upserts);
});

test('stages are read in the order the visit entered them, and the claim was accepted after the encounter was signed', () => {
  const stages = paid.stagesAt.map((s) => s.stage).filter((s, i, all) => s !== all[i - 1]);
  expect(stages).toEqual(['intake', 'eligibility', 'awaiting_encounter', 'coding', 'charges', 'claim_submitted', 'awaiting_adjudication', 'closed']);
  expect(paid.stagesAt.map((s) => s.at)).toEqual([...paid.stagesAt.map((s) => s.at)].sort((a, b) => a - b));
  expect(paid.acceptedAt).toBeGreaterThanOrEqual(paid.signedAt!);
});

test('history bytes include the payloads and more', () => {
  expect(paid.payloadBytes).toBeGreaterThan(1000);
  expect(paid.historyBytes).toBeGreaterThan(paid.payloadBytes);
});

test('percentiles are nearest-rank', () => {
  const ms = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentiles(ms)).toEqual({ n: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  expect(percentiles([7])).toMatchObject({ p50: 7, p99: 7 });
  expect(percentiles([]).p50).toBeNaN();
});
