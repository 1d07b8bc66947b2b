/**
 * Medicare Physician Fee Schedule pricing from CMS's own files: the national RVU file
 * (PPRRVU, CSV edition), the GPCI file by locality, the ZIP-to-locality file and the
 * conversion factor. allowed = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI)
 * x CF, with the facility PE RVU when the place of service is a facility, the multiple
 * procedure reduction (indicator 2: 100% for the highest-priced line, 50% for the rest)
 * and the bilateral adjustment (indicator 1 with modifier 50: 150%). Every amount cites
 * the file and line of each input. Pure: text in, rows and cents out.
 */
import { DataFileError, parseDelimited } from './layouts';

export interface Cited {
  file: string;
  line: number;
}

export interface RvuRow extends Cited {
  code: string;
  modifier?: string;
  status: string;
  work: number;
  nonFacilityPe: number;
  facilityPe: number;
  mp: number;
  /** MULT PROC: 0 none, 2 standard 100/50%, 3 endoscopic, 4 imaging, ... */
  multipleProcedure: string;
  /** BILAT SURG: 1 = 150% with modifier 50. */
  bilateral: string;
  conversionFactor?: number;
}

export interface GpciRow extends Cited {
  contractor: string;
  locality: string;
  name: string;
  work: number;
  pe: number;
  mp: number;
}

export interface ZipLocality extends Cited {
  zip: string;
  contractor: string;
  locality: string;
}

const num = (file: string, line: number, raw: string, what: string): number => {
  const v = raw.trim() === '' ? 0 : Number(raw.trim());
  if (!Number.isFinite(v)) throw new DataFileError(file, line, `${what} "${raw}" is not a number`);
  return v;
};

/** The header row (its first cell matching `first`) and, per field, the column whose header holds every word given (`!WORD`: does not hold it). */
function columns(file: string, rows: { line: number; cells: string[] }[], first: RegExp, wanted: Record<string, string[][]>) {
  const at = rows.findIndex((r) => first.test(r.cells[0]?.trim() ?? ''));
  if (at < 0) throw new DataFileError(file, undefined, `has no header row starting with ${first.source}`);
  const header = rows[at].cells.map((c) => c.trim().toUpperCase().replace(/\s+/g, ' '));
  const index: Record<string, number> = {};
  for (const [key, alternatives] of Object.entries(wanted)) {
    const i = header.findIndex((h) => alternatives.some((words) => words.every((w) => (w.startsWith('!') ? !h.includes(w.slice(1)) : h.includes(w)))));
    if (i < 0) throw new DataFileError(file, rows[at].line, `has no ${key} column (has ${header.join(', ')})`);
    index[key] = i;
  }
  return { index, data: rows.slice(at + 1) };
}

/** The PPRRVU file's CSV edition: notice lines, then a header row from `HCPCS`, `MOD`, `DESCRIPTION`, `STATUS CODE`, ... */
export function readRvuFile(file: string, text: string): RvuRow[] {
  const { index, data } = columns(file, parseDelimited(text), /^HCPCS$/i, {
    code: [['HCPCS']],
    modifier: [['MOD']],
    status: [['STATUS']],
    work: [['WORK', 'RVU']],
    nonFacilityPe: [
      ['NON-FAC', 'PE'],
      ['NON-FACILITY', 'PE'],
    ],
    facilityPe: [['FAC', 'PE', '!NON']],
    mp: [['MP', 'RVU'], ['MALPRACTICE']],
    multipleProcedure: [['MULT']],
    bilateral: [['BILAT']],
    conversionFactor: [['CONV']],
  });
  return data
    .filter((r) => /^[0-9A-Z]{5}$/.test(r.cells[index.code]?.trim() ?? ''))
    .map((r) => {
      const get = (k: string) => (r.cells[index[k]] ?? '').trim();
      return {
        file,
        line: r.line,
        code: get('code').toUpperCase(),
        modifier: get('modifier') || undefined,
        status: get('status'),
        work: num(file, r.line, get('work'), 'WORK RVU'),
        nonFacilityPe: num(file, r.line, get('nonFacilityPe'), 'NON-FAC PE RVU'),
        facilityPe: num(file, r.line, get('facilityPe'), 'FACILITY PE RVU'),
        mp: num(file, r.line, get('mp'), 'MP RVU'),
        multipleProcedure: get('multipleProcedure'),
        bilateral: get('bilateral'),
        conversionFactor: get('conversionFactor') ? num(file, r.line, get('conversionFactor'), 'CONV FACTOR') : undefined,
      };
    });
}

/** The GPCI file (CSV): MAC, State, Locality Number, Locality Name, PW GPCI, PE GPCI, MP GPCI. */
export function readGpciFile(file: string, text: string): GpciRow[] {
  const { index, data } = columns(file, parseDelimited(text), /(MAC|CONTRACTOR)/i, {
    contractor: [['MAC'], ['CONTRACTOR']],
    locality: [['LOCALITY', 'NUMBER']],
    name: [['LOCALITY', 'NAME']],
    work: [
      ['PW', 'GPCI'],
      ['WORK', 'GPCI'],
    ],
    pe: [['PE', 'GPCI']],
    mp: [['MP', 'GPCI']],
  });
  return data
    .filter((r) => /^\d{5}$/.test(r.cells[index.contractor]?.trim() ?? ''))
    .map((r) => {
      const get = (k: string) => (r.cells[index[k]] ?? '').trim();
      return {
        file,
        line: r.line,
        contractor: get('contractor'),
        locality: get('locality').padStart(2, '0'),
        name: get('name'),
        work: num(file, r.line, get('work'), 'PW GPCI'),
        pe: num(file, r.line, get('pe'), 'PE GPCI'),
        mp: num(file, r.line, get('mp'), 'MP GPCI'),
      };
    });
}

/** CMS's ZIP code to carrier locality file (fixed width): state 1-2, ZIP 3-7, carrier 8-12, pricing locality 13-14. */
export function readZipLocalities(file: string, text: string): ZipLocality[] {
  return text.split(/\r?\n/).flatMap((l, i) => {
    if (!/^[A-Z]{2}\d{5}\d{5}[0-9A-Z]{2}/.test(l)) return [];
    return [{ file, line: i + 1, zip: l.slice(2, 7), contractor: l.slice(7, 12), locality: l.slice(12, 14) }];
  });
}

/** Places of service Medicare pays at the facility rate (the facility bears the practice expense). */
const FACILITY_POS = new Set(['02', '19', '21', '22', '23', '24', '26', '31', '34', '41', '42', '51', '52', '53', '56', '61']);

export interface PfsLine {
  code: string;
  modifiers: string[];
  units: number;
}

export interface PfsPrice {
  allowedCents: number;
  /** Which file and line priced the line, and how: what a biller checks the amount against. */
  cites: string;
}

/**
 * The Medicare allowed amount of each line, or undefined for a code the RVU file does not
 * price (a status other than A, R or T, or absent). Amounts are rounded to the cent per
 * line, as the fee schedule's own amounts are.
 */
export function priceMedicareLines(
  lines: PfsLine[],
  input: { placeOfService: string; zip: string; rvus: RvuRow[]; gpcis: GpciRow[]; zips: ZipLocality[]; conversionFactor?: number },
): (PfsPrice | undefined)[] {
  const where = input.zips.find((z) => z.zip === input.zip.slice(0, 5));
  const gpci = where && input.gpcis.find((g) => g.contractor === where.contractor && g.locality === where.locality);
  const facility = FACILITY_POS.has(input.placeOfService);
  const priced = lines.map((l) => {
    const modifier = l.modifiers.find((m) => m === '26' || m === 'TC');
    const rvu = input.rvus.find((r) => r.code === l.code && r.modifier === modifier) ?? input.rvus.find((r) => r.code === l.code && !r.modifier);
    if (!rvu || !gpci || !where || !['A', 'R', 'T'].includes(rvu.status)) return undefined;
    const cf = input.conversionFactor ?? rvu.conversionFactor;
    if (!cf) return undefined;
    const pe = facility ? rvu.facilityPe : rvu.nonFacilityPe;
    const dollars = (rvu.work * gpci.work + pe * gpci.pe + rvu.mp * gpci.mp) * cf;
    return { rvu, gpci, where, cf, pe, dollars, line: l };
  });
  // Multiple procedures (indicator 2): the highest-priced line at 100%, every other at 50%.
  const multiple = priced.filter((p) => p?.rvu.multipleProcedure === '2').sort((a, b) => b!.dollars - a!.dollars);
  return priced.map((p) => {
    if (!p) return undefined;
    const reduced = multiple.length > 1 && multiple.indexOf(p) > 0;
    const bilateral = p.rvu.bilateral === '1' && p.line.modifiers.includes('50');
    const factor = (reduced ? 0.5 : 1) * (bilateral ? 1.5 : 1);
    const allowedCents = Math.round(p.dollars * factor * 100) * p.line.units;
    return {
      allowedCents,
      cites:
        `Medicare PFS: (work ${p.rvu.work} x ${p.gpci.work} + ${facility ? 'facility' : 'non-facility'} PE ${p.pe} x ${p.gpci.pe} + MP ${p.rvu.mp} x ${p.gpci.mp}) x CF ${p.cf}` +
        `${reduced ? ' x 50% (multiple procedure)' : ''}${bilateral ? ' x 150% (bilateral)' : ''}${p.line.units > 1 ? ` x ${p.line.units} units` : ''}` +
        `; RVUs ${p.rvu.file} line ${p.rvu.line}, GPCI ${p.gpci.file} line ${p.gpci.line} (${p.gpci.contractor}/${p.gpci.locality} ${p.gpci.name}), locality of ZIP ${p.where.zip} ${p.where.file} line ${p.where.line}`,
    };
  });
}
