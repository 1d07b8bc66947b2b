/**
 * Custom search attributes (DESIGN.md §4). They are stored unencrypted and bypass
 * the payload codec: ids in them are opaque, and none holds a name, birth date,
 * member id or anything else that identifies a patient.
 */
import { defineSearchAttributeKey, SearchAttributeType, SearchAttributeUpdatePair } from '@temporalio/common';

export const VisitIdKey = defineSearchAttributeKey('VisitId', SearchAttributeType.KEYWORD);
export const PayerIdKey = defineSearchAttributeKey('PayerId', SearchAttributeType.KEYWORD);
export const ProviderNpiKey = defineSearchAttributeKey('ProviderNpi', SearchAttributeType.KEYWORD);
export const VisitStageKey = defineSearchAttributeKey('VisitStage', SearchAttributeType.KEYWORD);
export const ClaimStatusKey = defineSearchAttributeKey('ClaimStatus', SearchAttributeType.KEYWORD);
export const AwaitingActionKey = defineSearchAttributeKey('AwaitingAction', SearchAttributeType.KEYWORD);
export const CptCodesKey = defineSearchAttributeKey('CptCodes', SearchAttributeType.KEYWORD_LIST);
export const DenialCodesKey = defineSearchAttributeKey('DenialCodes', SearchAttributeType.KEYWORD_LIST);
export const BilledCentsKey = defineSearchAttributeKey('BilledCents', SearchAttributeType.INT);
export const PaidCentsKey = defineSearchAttributeKey('PaidCents', SearchAttributeType.INT);
export const ServiceDateKey = defineSearchAttributeKey('ServiceDate', SearchAttributeType.DATETIME);
/** Deadlines that escalated: timely_filing (no accepted claim near the payer's filing limit), appeal (an appeal not out near its deadline). */
export const EscalationsKey = defineSearchAttributeKey('Escalations', SearchAttributeType.KEYWORD_LIST);

export const ALL_SEARCH_ATTRIBUTES = [
  VisitIdKey,
  PayerIdKey,
  ProviderNpiKey,
  VisitStageKey,
  ClaimStatusKey,
  AwaitingActionKey,
  CptCodesKey,
  DenialCodesKey,
  BilledCentsKey,
  PaidCentsKey,
  ServiceDateKey,
  EscalationsKey,
];

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  const cliType: Record<string, string> = {
    KEYWORD: 'Keyword',
    KEYWORD_LIST: 'KeywordList',
    INT: 'Int',
    DATETIME: 'Datetime',
  };
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]);
}

/**
 * What a workflow last upserted, so the next upsert carries only the keys whose values
 * changed and none is sent when nothing did; and what it queued, so values that change
 * between stage changes (codes, amounts, claim status) go out with the next one: every
 * upsert is a command and a history event (a paid visit went from 22 to 9). Replay rebuilds
 * it, as it reruns the code.
 */
export class SearchAttributeMemo {
  private readonly sent = new Map<string, string>();
  private readonly pending = new Map<string, SearchAttributeUpdatePair>();

  /** Queues pairs for the next flush; a later value of a key replaces an earlier one. */
  queue(pairs: SearchAttributeUpdatePair[]): void {
    for (const p of pairs) this.pending.set(p.key.name, p);
  }

  /** The queued pairs whose value differs from the last one sent (remembered as sent); the queue empties. */
  flush(): SearchAttributeUpdatePair[] {
    const out = this.changed([...this.pending.values()]);
    this.pending.clear();
    return out;
  }

  /** The pairs whose value differs from the last one sent for that key; remembers them as sent. */
  changed(pairs: SearchAttributeUpdatePair[]): SearchAttributeUpdatePair[] {
    return pairs.filter((p) => {
      const value = comparable(p.value);
      if (this.sent.get(p.key.name) === value) return false;
      this.sent.set(p.key.name, value);
      return true;
    });
  }
}

function comparable(value: unknown): string {
  return value instanceof Date ? `D${value.toISOString()}` : (JSON.stringify(value) ?? 'undefined');
}
