/**
 * The simulator's in-memory FHIR R4 resource store: create, update, read and search
 * with _include/_revinclude, each write stamping meta.versionId and meta.lastUpdated
 * as a FHIR server does. Ids are sequential per type, so runs are reproducible.
 */
import type { Resource } from '@medplum/fhirtypes';
import { filterFor, isResultParam, parseInclude, pointsAt } from './search';

export interface SearchResult {
  matches: Resource[];
  included: Resource[];
}

export class FhirStore {
  private readonly resources = new Map<string, Map<string, Resource>>();
  private readonly lastId = new Map<string, number>();

  constructor(private readonly now: () => Date = () => new Date()) {}

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
