/**
 * The chaos run of the test command (`npm run chaos` is the 1,000-visit one): 100 visits on
 * their own Postgres and Temporal dev server, failing simulators, the worker SIGKILLed
 * every 15 s of its uptime, Postgres and Temporal each restarted once mid-run. Every visit
 * must end closed or parked with a reason, nothing twice, and Postgres must hold the
 * simulators' totals.
 *
 * The workflow code is bundled once for the run (WORKER_BUNDLE_PATH), so a killed worker
 * is polling again within a couple of seconds. `CHAOS_TEST=0` skips it for a quick local run.
 */
import { defaultChaosOptions, runChaos, type ChaosResult } from '../bench/chaos/run';

let result: ChaosResult;

// A few minutes on 2 cores; the hook's budget is generous so a loaded machine does not fail it.
jest.setTimeout(20 * 60_000);

const describeChaos = process.env.CHAOS_TEST === '0' ? describe.skip : describe;

describeChaos('chaos, 100 visits', () => {
  beforeAll(async () => {
    result = await runChaos({ ...defaultChaosOptions(100), killEveryMs: 15_000, concurrency: 25, restartAt: { postgres: 0.3, temporal: 0.6 } });
    console.log(
      `chaos: ${result.visits} visits in ${(result.wallMs / 1000).toFixed(0)} s, ${result.events.workerKills} worker kills, closed ${result.closed}, parked ${result.parked}`,
    );
  });

  test('the chaos really happened: repeated worker kills, one Postgres and one Temporal restart, faults on every simulator', () => {
    expect(result.events.workerKills).toBeGreaterThanOrEqual(3);
    expect(result.events.postgresRestarts).toBe(1);
    expect(result.events.temporalRestarts).toBe(1);
    for (const f of Object.values(result.faults)) expect(f.error).toBeGreaterThan(0);
    expect(result.faults.clearinghouse.duplicate + result.faults.clearinghouse.reorder).toBeGreaterThan(0);
  });

  test('every visit is closed or parked with a reason', () => {
    expect(result.stuck).toEqual([]);
    expect(result.closed + result.parked).toBe(result.visits);
    for (const row of result.table) expect(row.stage === 'closed' ? row.outcome : row.awaitingAction).not.toBe('-');
  });

  test("no charge, claim or payment exists twice, and Postgres holds the simulators' totals", () => {
    expect(result.ledger.duplicates).toEqual({ charges: 0, claims: 0, payments: 0 });
    expect(result.ledger.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ledger.checks.find((c) => c.what === 'charge lines')!.postgres).toBe(2 * result.visits);
  });
});
