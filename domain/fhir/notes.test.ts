import type { DocumentReference } from '@medplum/fhirtypes';
import { clinicalNotes } from './notes';

const note = (id: string, extra: Partial<DocumentReference>): DocumentReference => ({
  resourceType: 'DocumentReference',
  id,
  status: 'current',
  type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
  date: '2026-03-02T15:00:00Z',
  content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Assessment: low back pain').toString('base64'), title: 'Progress note' } }],
  ...extra,
});

describe('clinicalNotes', () => {
  it('gives one note per attachment of the current documents', () => {
    const withPdf = note('d2', {
      content: [{ attachment: { contentType: 'application/pdf', url: 'https://ehr.example/Binary/9' } }],
      description: 'Operative report',
    });
    expect(clinicalNotes([note('d1', {}), withPdf, note('d3', { status: 'superseded' }), note('d4', { docStatus: 'entered-in-error' })])).toEqual([
      {
        documentRef: 'DocumentReference/d1',
        type: '11506-3',
        title: 'Progress note',
        date: '2026-03-02T15:00:00Z',
        contentType: 'text/plain',
        data: 'QXNzZXNzbWVudDogbG93IGJhY2sgcGFpbg==',
      },
      {
        documentRef: 'DocumentReference/d2',
        type: '11506-3',
        title: 'Operative report',
        date: '2026-03-02T15:00:00Z',
        contentType: 'application/pdf',
        url: 'https://ehr.example/Binary/9',
      },
    ]);
  });
});
