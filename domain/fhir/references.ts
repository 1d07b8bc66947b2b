/** Reference handling that works for server ids (Type/id, absolute URLs) and bundle-local urn:uuid references. */
import type { Reference, Resource } from '@medplum/fhirtypes';

export const referenceTo = (r: { resourceType: string; id?: string }): string => `${r.resourceType}/${r.id}`;

/** Whether `ref` points at `resource`: "Type/id", "http://base/Type/id[/_history/n]" or "urn:uuid:id". */
export function refersTo(ref: Reference | undefined, resource: Resource): boolean {
  const target = ref?.reference;
  if (!target || !resource.id) return false;
  if (target === `urn:uuid:${resource.id}`) return true;
  const path = target.replace(/\/_history\/[^/]+$/, '');
  return path === referenceTo(resource) || path.endsWith(`/${referenceTo(resource)}`);
}
