/**
 * Clinical notes for an appeal: the encounter's current DocumentReferences, one note per
 * attachment, as the EHR holds them (inline data or a URL to fetch with the same access).
 */
import type { DocumentReference } from '@medplum/fhirtypes';
import { referenceTo } from './references';

export interface ClinicalNote {
  documentRef: string;
  /** LOINC document type when coded, e.g. 11506-3 progress note. */
  type?: string;
  title?: string;
  date?: string;
  contentType: string;
  /** Base64, when the EHR sends the note inline. */
  data?: string;
  url?: string;
}

export function clinicalNotes(documents: DocumentReference[]): ClinicalNote[] {
  return documents
    .filter((d) => d.status === 'current' && d.docStatus !== 'entered-in-error')
    .flatMap((d) =>
      d.content.map(({ attachment: a }) => ({
        documentRef: referenceTo(d),
        ...(d.type?.coding?.[0]?.code && { type: d.type.coding[0].code }),
        ...((a.title ?? d.description) && { title: a.title ?? d.description }),
        ...((d.date ?? a.creation) && { date: d.date ?? a.creation }),
        contentType: a.contentType ?? 'application/octet-stream',
        ...(a.data && { data: a.data }),
        ...(a.url && { url: a.url }),
      })),
    );
}
