import { controlIdFor } from './hl7';

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
