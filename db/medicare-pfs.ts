/**
 * The Medicare fee schedule rows a visit's lines need, from the newest loaded RVU, GPCI and
 * ZIP-to-locality files (db/codeset-loaders.ts loads them), in the shapes
 * domain/billing/medicare-pfs.ts prices with. Each row keeps its file's source and line so a
 * priced amount cites them.
 */
import type { GpciRow, RvuRow, ZipLocality } from '../domain/billing/medicare-pfs';
import type { ReleaseKind } from '../domain/billing/ruleset';
import type { Db } from './knex';

export interface PfsData {
  rvus: RvuRow[];
  gpcis: GpciRow[];
  zips: ZipLocality[];
}

const newest = (db: Db, kind: ReleaseKind): Promise<{ id: number; source: string | null; name: string } | undefined> =>
  db('rule_releases').where({ kind }).orderBy('id', 'desc').first('id', 'source', 'name');

/** The rows for these codes and this ZIP, or undefined when a file is not loaded (then nothing can be priced the Medicare way). */
export async function medicarePfsFor(db: Db, codes: string[], zip: string): Promise<PfsData | undefined> {
  const [rvu, gpci, locality] = await Promise.all([newest(db, 'pfs_rvu'), newest(db, 'pfs_gpci'), newest(db, 'pfs_locality')]);
  if (!rvu || !gpci || !locality) return undefined;
  const file = (r: { source: string | null; name: string }) => r.source ?? r.name;
  const zipRows = await db('pfs_zip_localities').where({ release_id: locality.id, zip: zip.slice(0, 5) });
  const zips: ZipLocality[] = zipRows.map((z) => ({ file: file(locality), line: z.line, zip: z.zip, contractor: z.contractor, locality: z.locality }));
  const gpciRows = zips.length
    ? await db('pfs_gpcis')
        .where({ release_id: gpci.id })
        .whereIn(
          ['contractor', 'locality'],
          zips.map((z) => [z.contractor, z.locality]),
        )
    : [];
  const rvuRows = await db('pfs_rvus')
    .where({ release_id: rvu.id })
    .whereIn('code', [...new Set(codes)]);
  return {
    zips,
    gpcis: gpciRows.map((g) => ({
      file: file(gpci),
      line: g.line,
      contractor: g.contractor,
      locality: g.locality,
      name: g.name,
      work: Number(g.work),
      pe: Number(g.pe),
      mp: Number(g.mp),
    })),
    rvus: rvuRows.map((r) => ({
      file: file(rvu),
      line: r.line,
      code: r.code,
      modifier: r.modifier ?? undefined,
      status: r.status,
      work: Number(r.work),
      nonFacilityPe: Number(r.non_facility_pe),
      facilityPe: Number(r.facility_pe),
      mp: Number(r.mp),
      multipleProcedure: r.multiple_procedure,
      bilateral: r.bilateral,
      conversionFactor: r.conversion_factor === null ? undefined : Number(r.conversion_factor),
    })),
  };
}
