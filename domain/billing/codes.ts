/**
 * Code formats. ICD-10-CM is stored and billed without its decimal point (the 837P's
 * HI segment carries `M5450`); people read it with the point after the third
 * character (`M54.50`), so every message a coder sees uses that form.
 */

/** `M54.50` or `m5450` → `M5450`. */
export const icdBilled = (code: string): string => code.replace('.', '').trim().toUpperCase();

/** `M5450` → `M54.50`; three-character categories have no point. */
export const icdDisplay = (code: string): string => {
  const c = icdBilled(code);
  return c.length > 3 ? `${c.slice(0, 3)}.${c.slice(3)}` : c;
};

/** A calendar date `YYYY-MM-DD` plus `days` (negative to go back), in UTC arithmetic. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both calendar dates). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** `20210930` (CMS files) → `2021-09-30`; blank, `*` or `00000000` → undefined. */
export function cmsDate(raw: string | undefined): string | undefined {
  const s = (raw ?? '').trim();
  if (!s || s === '*' || /^0+$/.test(s)) return undefined;
  if (/^\d{8}$/.test(s)) return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  throw new Error(`"${s}" is not a date (YYYYMMDD or YYYY-MM-DD)`);
}
