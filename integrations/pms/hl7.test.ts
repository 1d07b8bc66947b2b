import { PmsRejectedError } from './errors';
import { controlIdFor, createHl7PmsClient } from './hl7';

describe('controlIdFor', () => {
  it('gives every retry of a post the same MSH-10, within HL7 v2.5.1 limits', () => {
    const id = controlIdFor('visit-V-1-charges-1');
    expect(id).toBe(controlIdFor('visit-V-1-charges-1'));
    expect(id).toMatch(/^RC[0-9A-Z]{18}$/);
  });

  it('gives different posts different control ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => controlIdFor(`visit-V-${i}-charges-1`)));
    expect(ids.size).toBe(1000);
  });
});

describe('createHl7PmsClient', () => {
  it('refuses, without sending, charges whose diagnosis pointers point nowhere', async () => {
    const client = createHl7PmsClient({ host: '127.0.0.1', port: 1, timeoutMs: 100 });
    const post = {
      visitId: 'V-1',
      idempotencyKey: 'k',
      patientId: 'MRN-1',
      serviceDate: '2026-04-01',
      renderingNpi: '1234567893',
      diagnoses: [{ code: 'E119', rank: 1 }],
      lines: [{ lineNumber: 1, code: '99213', modifiers: [], units: 1, chargeCents: 100, diagnosisPointers: [2] }],
    };
    await expect(client.postCharges(post)).rejects.toThrow(new PmsRejectedError('charges cannot be sent: line 1: diagnosis pointer 2 has no diagnosis'));
  });
});
