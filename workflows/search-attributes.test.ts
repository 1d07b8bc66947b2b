import { AwaitingActionKey, BilledCentsKey, ClaimStatusKey, CptCodesKey, SearchAttributeMemo, ServiceDateKey, VisitStageKey } from './search-attributes';

describe('SearchAttributeMemo: upsert only what changed', () => {
  it('sends every key the first time, then only the keys whose values changed, then nothing', () => {
    const memo = new SearchAttributeMemo();
    const first = [
      { key: VisitStageKey, value: 'intake' },
      { key: AwaitingActionKey, value: 'none' },
      { key: ServiceDateKey, value: new Date('2026-11-02T00:00:00Z') },
    ];
    expect(memo.changed(first).map((p) => p.key.name)).toEqual(['VisitStage', 'AwaitingAction', 'ServiceDate']);
    const next = [
      { key: VisitStageKey, value: 'charges' },
      { key: AwaitingActionKey, value: 'none' },
      { key: ServiceDateKey, value: new Date('2026-11-02T00:00:00Z') },
    ];
    expect(memo.changed(next)).toEqual([{ key: VisitStageKey, value: 'charges' }]);
    expect(memo.changed(next)).toEqual([]);
  });

  it('compares lists and dates by value, and sees a change back to an earlier value', () => {
    const memo = new SearchAttributeMemo();
    memo.changed([
      { key: CptCodesKey, value: ['99213', '20610'] },
      { key: VisitStageKey, value: 'coding' },
    ]);
    expect(memo.changed([{ key: CptCodesKey, value: ['99213', '20610'] }])).toEqual([]);
    expect(memo.changed([{ key: CptCodesKey, value: ['99213'] }])).toHaveLength(1);
    memo.changed([{ key: VisitStageKey, value: 'needs_attention' }]);
    expect(memo.changed([{ key: VisitStageKey, value: 'coding' }])).toEqual([{ key: VisitStageKey, value: 'coding' }]);
  });
});

describe('SearchAttributeMemo: queued values go out together with the next flush', () => {
  it('sends the last queued value of each key once, and only if it changed', () => {
    const memo = new SearchAttributeMemo();
    memo.queue([{ key: CptCodesKey, value: ['99214'] }]);
    memo.queue([
      { key: BilledCentsKey, value: 37500 },
      { key: ClaimStatusKey, value: 'built' },
    ]);
    memo.queue([
      { key: ClaimStatusKey, value: 'submitted' },
      { key: VisitStageKey, value: 'claim_submitted' },
    ]);
    expect(memo.flush()).toEqual([
      { key: CptCodesKey, value: ['99214'] },
      { key: BilledCentsKey, value: 37500 },
      { key: ClaimStatusKey, value: 'submitted' },
      { key: VisitStageKey, value: 'claim_submitted' },
    ]);
    expect(memo.flush()).toEqual([]);
    memo.queue([
      { key: ClaimStatusKey, value: 'submitted' },
      { key: VisitStageKey, value: 'awaiting_adjudication' },
    ]);
    expect(memo.flush()).toEqual([{ key: VisitStageKey, value: 'awaiting_adjudication' }]);
  });
});
