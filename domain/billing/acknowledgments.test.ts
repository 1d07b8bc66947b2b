import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClaimAcknowledgment } from '../claim';
import { parseRejectionRules, readAcknowledgment } from './acknowledgments';

const rules = parseRejectionRules(readFileSync(join(__dirname, 'data', 'claim-rejections.csv'), 'utf8'));
const ca = (codes: string[], patch: Partial<ClaimAcknowledgment> = {}): ClaimAcknowledgment => ({
  kind: '277CA',
  accepted: true,
  codes,
  sourceKey: 'k',
  ...patch,
});
const ack999 = (accepted: boolean, errorSegments?: ClaimAcknowledgment['errorSegments']): ClaimAcknowledgment => ({
  kind: '999',
  accepted,
  codes: [],
  sourceKey: 'k',
  errorSegments,
});

describe('reading an acknowledgment', () => {
  it('a 999 that accepts the file only says it was received: the 277CA decides', () => {
    expect(readAcknowledgment(ack999(true), rules)).toEqual({ outcome: 'received' });
  });

  it('sends a 999 rejection to the queue its IK3 segment and loop point at', () => {
    expect(readAcknowledgment(ack999(false, [{ segment: 'HI', loop: '2300' }]), rules)).toMatchObject({ outcome: 'rejected', queue: 'coding_review' });
    expect(readAcknowledgment(ack999(false, [{ segment: 'NM1', loop: '2010' }]), rules)).toMatchObject({
      outcome: 'rejected',
      queue: 'claim_data',
      note: expect.stringMatching(/subscriber, patient or provider/),
    });
    expect(readAcknowledgment(ack999(false, [{ segment: 'CLM', loop: '2300' }]), rules)).toMatchObject({ outcome: 'rejected', queue: 'claim_data' });
    expect(readAcknowledgment(ack999(false), rules)).toMatchObject({ outcome: 'rejected', queue: 'claim_data' });
  });

  it('tells the two stages apart: the clearinghouse forwards, the payer accepts or pends', () => {
    expect(readAcknowledgment(ca(['A1:19'], { source: 'clearinghouse' }), rules)).toEqual({ outcome: 'forwarded' });
    expect(readAcknowledgment(ca(['A2:20'], { source: 'payer' }), rules)).toEqual({ outcome: 'accepted' });
    expect(readAcknowledgment(ca(['A2:20']), rules)).toEqual({ outcome: 'accepted' }); // a one-stage 277CA names no source
    expect(readAcknowledgment(ca(['P1:20'], { source: 'payer' }), rules)).toEqual({ outcome: 'pended' });
  });

  it('routes 277CA rejections by status code and entity: coverage, coding or provider data', () => {
    const rejected = (codes: string[]) => readAcknowledgment(ca(codes, { accepted: false }), rules);
    expect(rejected(['A7:164:IL'])).toMatchObject({ outcome: 'rejected', queue: 'coverage' });
    expect(rejected(['A7:255'])).toMatchObject({ queue: 'coding_review' });
    expect(rejected(['A7:562:82'])).toMatchObject({ queue: 'claim_data', note: expect.stringMatching(/NPI/) });
    expect(rejected(['A3:21:85'])).toMatchObject({ queue: 'claim_data' });
    // A rejection at the clearinghouse stage is a rejection all the same.
    expect(readAcknowledgment(ca(['A7:164:IL'], { source: 'clearinghouse' }), rules)).toMatchObject({ outcome: 'rejected', queue: 'coverage' });
  });

  it('refuses a routing table with an unknown queue, by line', () => {
    expect(() => parseRejectionRules('source,category,code,entity,queue,note\n277CA,*,*,*,somewhere,x')).toThrow(/rule 1: queue must be one of/);
    expect(() => parseRejectionRules('source,category,code,queue,note\n')).toThrow(/header must be/);
  });
});
