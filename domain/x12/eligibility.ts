/**
 * Eligibility inquiry and response, ASC X12 005010X279A1: `build270`/`parse270`
 * (parse(build(x)) = x), `parse271`, and `eligibilityResultFrom271`, the mapping the
 * visit workflow needs (domain/visit.ts `EligibilityResult`).
 */
import type { EligibilityResult } from '../visit';
import { EnvelopeOptions, ReadOptions, transactionsOfType } from './envelope';
import { buildInterchange, ElementValue } from './writer';
import { X12BuildError } from './errors';
import { Segment } from './syntax';
import { centsToAmount, toX12Date } from './values';

export const GUIDE_270_271 = '005010X279A1';

export interface EligibilityPerson {
  firstName: string;
  lastName: string;
  birthDate?: string;
  sex?: 'M' | 'F' | 'U';
}

/** A 270 for one subscriber, or one dependent of a subscriber. */
export interface EligibilityRequest {
  /** 2100A information source. */
  payer: { name: string; id: string };
  /** 2100B information receiver: the practice or provider, by NPI. */
  provider: { name: string; npi: string };
  subscriber: EligibilityPerson & { memberId: string };
  /** 2000D, when the patient is a dependent without their own member id. */
  dependent?: EligibilityPerson;
  /** DTP*291, the planned date of service. */
  serviceDate: string;
  /** TRN02, echoed back in the 271's TRN*2: ties the answer to the request. */
  traceNumber: string;
  /** TRN03: '1' + the practice's EIN (or '9' + a DUNS). */
  originatorId: string;
  /** EQ01 service type codes; 30 = health benefit plan coverage. */
  serviceTypes: string[];
}

export function build270(request: EligibilityRequest, envelope: EnvelopeOptions): string {
  if (!/^\d{10}$/.test(request.originatorId)) throw new X12BuildError("must be 10 digits: '1' + EIN", 'originatorId');
  if (request.serviceTypes.length === 0) throw new X12BuildError('at least one service type (30 = plan coverage)', 'serviceTypes');
  const { subscriber: s, dependent } = request;
  const asked = dependent ?? s;
  const inquiry = [
    ['TRN', '1', request.traceNumber, request.originatorId],
    ['NM1', dependent ? '03' : 'IL', '1', asked.lastName, asked.firstName, '', '', '', ...(dependent ? [] : ['MI', s.memberId])],
    ...(asked.birthDate ? [['DMG', 'D8', toX12Date(asked.birthDate), asked.sex ?? '']] : []),
    ['DTP', '291', 'D8', toX12Date(request.serviceDate)],
    ...request.serviceTypes.map((t) => ['EQ', t]),
  ];
  const body: string[][] = [
    ['BHT', '0022', '13', request.traceNumber, toX12Date(envelope.date), envelope.time],
    ['HL', '1', '', '20', '1'],
    ['NM1', 'PR', '2', request.payer.name, '', '', '', '', 'PI', request.payer.id],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '1P', '2', request.provider.name, '', '', '', '', 'XX', request.provider.npi],
    ['HL', '3', '2', '22', dependent ? '1' : '0'],
  ];
  if (dependent) {
    body.push(['NM1', 'IL', '1', s.lastName, s.firstName, '', '', '', 'MI', s.memberId]);
    if (s.birthDate) body.push(['DMG', 'D8', toX12Date(s.birthDate), s.sex ?? '']);
    body.push(['HL', '4', '3', '23', '0']);
  }
  body.push(...inquiry);
  return buildInterchange(envelope, 'HS', GUIDE_270_271, [{ type: '270', body }]);
}

function person(nm1: Segment): EligibilityPerson {
  return { firstName: nm1.el(4), lastName: nm1.el(3) };
}

function addDemographics(p: EligibilityPerson, dmg: Segment): void {
  p.birthDate = dmg.date(2);
  if (dmg.el(3)) p.sex = dmg.el(3) as EligibilityPerson['sex'];
}

export function parse270(text: string, options?: ReadOptions): { envelope: EnvelopeOptions; request: EligibilityRequest; warnings: string[] } {
  const { interchange, transactions } = transactionsOfType(text, '270', options);
  const request: EligibilityRequest = {
    payer: { name: '', id: '' },
    provider: { name: '', npi: '' },
    subscriber: { firstName: '', lastName: '', memberId: '' },
    serviceDate: '',
    traceNumber: '',
    originatorId: '',
    serviceTypes: [],
  };
  let current: EligibilityPerson | undefined;
  for (const s of transactions[0].segments) {
    if (s.id === 'NM1' && s.el(1) === 'PR') request.payer = { name: s.el(3), id: s.el(9) };
    else if (s.id === 'NM1' && s.el(1) === '1P') request.provider = { name: s.el(3), npi: s.el(9) };
    else if (s.id === 'NM1' && s.el(1) === 'IL') {
      request.subscriber = { ...person(s), memberId: s.el(9) };
      current = request.subscriber;
    } else if (s.id === 'NM1' && s.el(1) === '03') current = request.dependent = person(s);
    else if (s.id === 'DMG' && current) addDemographics(current, s);
    else if (s.id === 'TRN') Object.assign(request, { traceNumber: s.el(2), originatorId: s.el(3) });
    else if (s.id === 'DTP' && s.el(1) === '291') request.serviceDate = s.startDate(3);
    else if (s.id === 'EQ') request.serviceTypes.push(s.el(1));
  }
  return { envelope: interchange.envelope, request, warnings: interchange.warnings };
}

/** One EB segment. */
export interface Benefit {
  /** EB01: 1 active coverage, 6 inactive, A coinsurance, B co-payment, C deductible, G out-of-pocket... */
  code: string;
  /** EB02: IND individual, FAM family, EMP, ESP... */
  coverageLevel?: string;
  /** EB03 service type codes, e.g. 30 plan coverage, 98 professional office visit. */
  serviceTypes: string[];
  /** EB04, e.g. HM HMO, PR PPO, MB Medicare Part B. */
  insuranceType?: string;
  /** EB05 */
  planName?: string;
  /** EB06: 23 calendar year, 27 visit, 29 remaining... */
  timePeriod?: string;
  amountCents?: number;
  /** EB08 as a percentage (EB08 0.2 → 20). */
  percent?: number;
  /** EB12: true in network, false out of network, undefined when it does not apply. */
  inNetwork?: boolean;
  /** Which loop it came from. */
  level: 'subscriber' | 'dependent';
}

/** AAA: why the payer could not answer (bad member id, subscriber not found...). */
export interface EligibilityError {
  level: 'payer' | 'provider' | 'subscriber' | 'dependent';
  /** AAA03 */
  reasonCode: string;
  reason: string;
  /** AAA04: C please correct and resubmit, N resubmission not allowed, R resubmission allowed... */
  followUp: string;
}

export interface EligibilityResponse {
  payer: { name: string; id: string };
  provider: { name: string; id: string };
  subscriber?: { memberId: string; firstName: string; lastName: string; groupNumber?: string };
  dependent?: { firstName: string; lastName: string };
  /** TRN*2: the 270's trace number and originator, echoed. */
  traceNumber?: string;
  traceOriginatorId?: string;
  benefits: Benefit[];
  errors: EligibilityError[];
  /** MSG free-form text. */
  messages: string[];
}

/** AAA03 reject reason codes (X279A1, AAA segments). */
const AAA_REASONS: Record<string, string> = {
  '04': 'Authorized quantity exceeded',
  '15': 'Required application data missing',
  '41': 'Authorization/access restrictions',
  '42': 'Unable to respond at current time',
  '43': 'Invalid/missing provider identification',
  '50': 'Provider ineligible for inquiries',
  '51': 'Provider not on file',
  '57': 'Invalid/missing date(s) of service',
  '58': 'Invalid/missing date of birth',
  '62': 'Date of service not within allowable inquiry period',
  '63': 'Date of service in future',
  '64': 'Invalid/missing patient id',
  '65': 'Invalid/missing patient name',
  '67': 'Patient not found',
  '68': 'Duplicate patient id number',
  '71': 'Patient birth date does not match that for the patient on the database',
  '72': 'Invalid/missing subscriber/insured id',
  '73': 'Invalid/missing subscriber/insured name',
  '75': 'Subscriber/insured not found',
  '76': 'Duplicate subscriber/insured id number',
  '79': 'Invalid participant identification',
};

const HL_LEVELS: Record<string, EligibilityError['level']> = { '20': 'payer', '21': 'provider', '22': 'subscriber', '23': 'dependent' };

export function parse271(text: string, options?: ReadOptions): { envelope: EnvelopeOptions; response: EligibilityResponse; warnings: string[] } {
  const { interchange, transactions } = transactionsOfType(text, '271', options);
  const r: EligibilityResponse = { payer: { name: '', id: '' }, provider: { name: '', id: '' }, benefits: [], errors: [], messages: [] };
  let level: EligibilityError['level'] = 'payer';
  let lastBenefit: Benefit | undefined;
  for (const s of transactions[0].segments) {
    switch (s.id) {
      case 'HL':
        level = HL_LEVELS[s.el(3)] ?? level;
        break;
      case 'NM1':
        readName271(r, s);
        break;
      case 'REF':
        if (s.el(1) === '6P' && r.subscriber) r.subscriber.groupNumber = s.el(2);
        break;
      case 'TRN':
        if (s.el(1) === '2') Object.assign(r, { traceNumber: s.el(2), traceOriginatorId: s.el(3) });
        break;
      case 'AAA':
        r.errors.push({ level, reasonCode: s.el(3), reason: AAA_REASONS[s.el(3)] ?? `reason ${s.el(3)}`, followUp: s.el(4) });
        break;
      case 'EB':
        r.benefits.push((lastBenefit = benefitOf(s, level === 'dependent' ? 'dependent' : 'subscriber')));
        break;
      case 'MSG':
        if (lastBenefit) r.messages.push(s.el(1));
        break;
    }
  }
  return { envelope: interchange.envelope, response: r, warnings: interchange.warnings };
}

function readName271(r: EligibilityResponse, s: Segment): void {
  const entity = s.el(1);
  if (entity === 'PR') r.payer = { name: s.el(3), id: s.el(9) };
  else if (entity === '1P' || entity === 'FA') r.provider = { name: s.el(3), id: s.el(9) };
  else if (entity === 'IL') r.subscriber = { memberId: s.el(9), firstName: s.el(4), lastName: s.el(3) };
  else if (entity === '03') r.dependent = { firstName: s.el(4), lastName: s.el(3) };
}

function benefitOf(s: Segment, level: Benefit['level']): Benefit {
  const b: Benefit = { code: s.required(1), serviceTypes: s.repeats(3), level };
  if (s.el(2)) b.coverageLevel = s.el(2);
  if (s.el(4)) b.insuranceType = s.el(4);
  if (s.el(5)) b.planName = s.el(5);
  if (s.el(6)) b.timePeriod = s.el(6);
  const amount = s.cents(7);
  if (amount !== undefined) b.amountCents = amount;
  if (s.el(8)) b.percent = Math.round(Number(s.el(8)) * 10000) / 100;
  if (s.el(12) === 'Y' || s.el(12) === 'N') b.inNetwork = s.el(12) === 'Y';
  return b;
}

const ACTIVE_CODES = new Set(['1', '2', '3', '4', '5']);
const INACTIVE_CODES = new Set(['6', '7', '8']);

/**
 * What the visit needs from a 271: whether coverage is active and the patient's share.
 * In-network, individual-level amounts are preferred over out-of-network or family ones;
 * EB06 = 29 marks the remaining amount of a deductible or out-of-pocket maximum.
 */
export function eligibilityResultFrom271(response: EligibilityResponse): EligibilityResult {
  const { benefits } = response;
  const active = response.errors.length === 0 && benefits.some((b) => ACTIVE_CODES.has(b.code)) && !benefits.some((b) => INACTIVE_CODES.has(b.code));
  const pick = (code: string, remaining: boolean) =>
    benefits.filter((b) => b.code === code && b.inNetwork !== false && (b.timePeriod === '29') === remaining).sort((a, b) => rank(a) - rank(b))[0];
  const result: EligibilityResult = {
    active,
    messages: [...response.errors.map((e) => `${e.reason} (AAA ${e.reasonCode})`), ...response.messages],
  };
  const plan = benefits.find((b) => b.planName);
  if (plan) result.planName = plan.planName;
  setIfDefined(result, 'copayCents', pick('B', false)?.amountCents);
  setIfDefined(result, 'deductibleCents', pick('C', false)?.amountCents);
  setIfDefined(result, 'deductibleRemainingCents', pick('C', true)?.amountCents);
  setIfDefined(result, 'coinsurancePercent', pick('A', false)?.percent);
  setIfDefined(result, 'outOfPocketRemainingCents', pick('G', true)?.amountCents);
  return result;
}

/** Individual in-network amounts first, then individual without network, then the rest. */
function rank(b: Benefit): number {
  return (b.coverageLevel === 'IND' || b.coverageLevel === undefined ? 0 : 2) + (b.inNetwork === true ? 0 : 1);
}

function setIfDefined<K extends keyof EligibilityResult>(r: EligibilityResult, key: K, value: EligibilityResult[K] | undefined): void {
  if (value !== undefined) r[key] = value;
}

/**
 * Builds a 271 answering one 270: AAA errors at the level they concern, then the
 * subscriber's (or dependent's) EB benefits. The payer side of the exchange, used
 * by the clearinghouse simulator.
 */
export function build271(r: EligibilityResponse, envelope: EnvelopeOptions): string {
  const errorsAt = (level: EligibilityError['level']) => r.errors.filter((e) => e.level === level).map((e) => ['AAA', 'N', '', e.reasonCode, e.followUp]);
  const benefitsAt = (level: Benefit['level']) => r.benefits.filter((b) => b.level === level).flatMap(benefitSegments);
  const s = r.subscriber ?? { memberId: '', firstName: '', lastName: '' };
  const trn = r.traceNumber ? [['TRN', '2', r.traceNumber, r.traceOriginatorId ?? '']] : [];
  const body: ElementValue[][] = [
    ['BHT', '0022', '11', String(envelope.controlNumber), toX12Date(envelope.date), envelope.time],
    ['HL', '1', '', '20', '1'],
    ['NM1', 'PR', '2', r.payer.name, '', '', '', '', 'PI', r.payer.id],
    ...errorsAt('payer'),
    ['HL', '2', '1', '21', '1'],
    ['NM1', '1P', '2', r.provider.name, '', '', '', '', 'XX', r.provider.id],
    ...errorsAt('provider'),
    ['HL', '3', '2', '22', r.dependent ? '1' : '0'],
    ...(r.dependent ? [] : trn),
    ['NM1', 'IL', '1', s.lastName, s.firstName, '', '', '', 'MI', s.memberId],
    ...(s.groupNumber ? [['REF', '6P', s.groupNumber]] : []),
    ...errorsAt('subscriber'),
    ...benefitsAt('subscriber'),
  ];
  if (r.dependent) {
    body.push(
      ['HL', '4', '3', '23', '0'],
      ...trn,
      ['NM1', '03', '1', r.dependent.lastName, r.dependent.firstName],
      ...errorsAt('dependent'),
      ...benefitsAt('dependent'),
    );
  }
  if (r.messages.length) body.push(...r.messages.map((m) => ['MSG', m]));
  return buildInterchange(envelope, 'HB', GUIDE_270_271, [{ type: '271', body }]);
}

function benefitSegments(b: Benefit): ElementValue[][] {
  return [
    [
      'EB',
      b.code,
      b.coverageLevel ?? '',
      { repeat: b.serviceTypes },
      b.insuranceType ?? '',
      b.planName ?? '',
      b.timePeriod ?? '',
      b.amountCents !== undefined ? centsToAmount(b.amountCents) : '',
      b.percent !== undefined ? String(b.percent / 100) : '',
      '',
      '',
      '',
      b.inNetwork === undefined ? '' : b.inNetwork ? 'Y' : 'N',
    ],
  ];
}
