/**
 * Custom search attributes (DESIGN.md §4). They are stored unencrypted and bypass
 * the payload codec: ids in them are opaque, and none holds a name, birth date,
 * member id or anything else that identifies a patient.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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

export const ALL_SEARCH_ATTRIBUTES = [
  VisitIdKey, PayerIdKey, ProviderNpiKey, VisitStageKey, ClaimStatusKey, AwaitingActionKey,
  CptCodesKey, DenialCodesKey, BilledCentsKey, PaidCentsKey, ServiceDateKey,
];

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  const cliType: Record<string, string> = {
    KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', INT: 'Int', DATETIME: 'Datetime',
  };
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]);
}
