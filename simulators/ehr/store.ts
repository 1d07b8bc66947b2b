/**
 * The simulator's in-memory FHIR R4 resource store: create, update, read and search
 * with _include/_revinclude, each write stamping meta.versionId and meta.lastUpdated
 * as a FHIR server does. Ids are sequential per type, so runs are reproducible.
 */
import type { Resource } from '@medplum/fhirtypes';
import { z } from 'zod';
import { type Persistable, storedObject } from '../persist';
import { filterFor, isResultParam, parseInclude, pointsAt } from './search';

/** Everything a restart must keep: each resource as stored (id, meta.versionId) and the last id given per type. */
export const FhirSnapshot = z.object({
  lastId: z.record(z.string(), z.number().int().nonnegative()),
  resources: z.array(storedObject<Resource>('resourceType', 'id')),
});
export type FhirSnapshot = z.infer<typeof FhirSnapshot>;

export interface SearchResult {
  matches: Resource[];
  included: Resource[];
}

export class FhirStore implements Persistable<FhirSnapshot> {
  private readonly resources = new Map<string, Map<string, Resource>>();
  private readonly lastId = new Map<string, number>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    /** Called after every write, e.g. to save a snapshot. */
    private readonly changed: () => void = () => {},
  ) {}

  snapshot(): FhirSnapshot {
    return { lastId: Object.fromEntries(this.lastId), resources: [...this.resources.values()].flatMap((t) => [...t.values()]) };
  }

  /** Takes back a snapshot into an empty store; new ids continue after the restored ones. */
  restore(snapshot: FhirSnapshot): void {
    for (const [type, id] of Object.entries(snapshot.lastId)) this.lastId.set(type, id);
    for (const r of snapshot.resources) this.table(r.resourceType).set(r.id as string, r);
  }

  private table(type: string): Map<string, Resource> {
    let t = this.resources.get(type);
    if (!t) this.resources.set(type, (t = new Map()));
    return t;
  }

  count(type: string): number {
    return this.table(type).size;
  }

  read(type: string, id: string): Resource | undefined {
    return this.table(type).get(id);
  }

  create<T extends Resource>(resource: T): T {
    const id = String((this.lastId.get(resource.resourceType) ?? 0) + 1);
    this.lastId.set(resource.resourceType, Number(id));
    return this.store({ ...resource, id }, 1);
  }

  /** Update by id; an id not yet known is created with it (update-as-create). */
  update<T extends Resource>(resource: T & { id: string }): { resource: T; created: boolean } {
    const previous = this.read(resource.resourceType, resource.id);
    const version = Number(previous?.meta?.versionId ?? 0) + 1;
    return { resource: this.store(resource, version), created: !previous };
  }

  private store<T extends Resource>(resource: T, version: number): T {
    const stored = { ...resource, meta: { ...resource.meta, versionId: String(version), lastUpdated: this.now().toISOString() } };
    this.table(resource.resourceType).set(stored.id as string, stored);
    this.changed();
    return stored;
  }

  /** Matches are AND of every filter parameter; _include/_revinclude add resources around them. */
  search(type: string, params: URLSearchParams): SearchResult {
    const filters = [...params].filter(([name]) => !isResultParam(name)).map(([name, value]) => filterFor(type, name, value));
    const matches = [...this.table(type).values()].filter((r) => filters.every((f) => f(r as never)));
    const included = new Map<string, Resource>();
    for (const spec of params.getAll('_include')) for (const r of this.forward(spec, matches)) included.set(`${r.resourceType}/${r.id}`, r);
    for (const spec of params.getAll('_revinclude')) for (const r of this.reverse(spec, matches)) included.set(`${r.resourceType}/${r.id}`, r);
    for (const m of matches) included.delete(`${m.resourceType}/${m.id}`);
    return { matches, included: [...included.values()] };
  }

  /** _include: what the matches reference through the named parameter. */
  private forward(spec: string, matches: Resource[]): Resource[] {
    const { source, target, refs } = parseInclude(spec);
    return matches
      .filter((m) => m.resourceType === source)
      .flatMap((m) => refs(m as never))
      .flatMap((ref) => {
        const [type, id] = (ref?.reference?.match(/([A-Za-z]+)\/([^/]+)$/) ?? []).slice(1);
        const found = type && (!target || target === type) ? this.read(type, id) : undefined;
        return found ? [found] : [];
      });
  }

  /** _revinclude: resources of the named type whose parameter references a match. */
  private reverse(spec: string, matches: Resource[]): Resource[] {
    const { source, refs } = parseInclude(spec);
    const targets = matches.map((m) => `${m.resourceType}/${m.id}`);
    return [...this.table(source).values()].filter((r) => refs(r as never).some((ref) => targets.some((t) => pointsAt(ref, t))));
  }
}
