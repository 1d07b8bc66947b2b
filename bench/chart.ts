/** An SVG chart of a benchmark run: visits/s beside baseline/s per server, and p95 per stage. */
import type { ServerResult } from './results';

const esc = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

export function chartSvg(results: ServerResult[]): string {
  const rows: { label: string; value: number; unit: string; color: string }[] = [];
  for (const r of results) {
    rows.push({ label: `${r.server}: visits/s`, value: r.fast.visitsPerSec, unit: '/s', color: '#2b6cb0' });
    rows.push({ label: `${r.server}: baseline/s`, value: r.baseline.perSec, unit: '/s', color: '#a0aec0' });
  }
  const stageRows: typeof rows = [];
  for (const r of results) {
    for (const [stage, p] of Object.entries(r.fast.stagesMs))
      stageRows.push({ label: `${r.server}: ${stage} p95`, value: p.p95, unit: ' ms', color: '#dd6b20' });
    stageRows.push({ label: `${r.server}: signed → accepted p95`, value: r.fast.signedToAcceptedMs.p95, unit: ' ms', color: '#c53030' });
  }
  const section = (title: string, list: typeof rows, y0: number) => {
    const max = Math.max(1, ...list.map((r) => r.value).filter(Number.isFinite));
    const parts = [`<text x="10" y="${y0}" font-weight="bold">${esc(title)}</text>`];
    list.forEach((r, i) => {
      const y = y0 + 10 + i * 22;
      const w = Number.isFinite(r.value) ? (r.value / max) * 420 : 0;
      parts.push(
        `<text x="10" y="${y + 14}">${esc(r.label)}</text>`,
        `<rect x="260" y="${y}" width="${w.toFixed(1)}" height="16" fill="${r.color}"/>`,
        `<text x="${(265 + w).toFixed(1)}" y="${y + 13}">${Number.isFinite(r.value) ? r.value.toFixed(r.unit === '/s' ? 2 : 0) : '-'}${r.unit}</text>`,
      );
    });
    return { svg: parts.join(''), height: 20 + list.length * 22 };
  };
  const a = section(`Throughput (ratio ${results.map((r) => `${r.server} ${r.ratio.toFixed(2)}`).join(', ')})`, rows, 20);
  const b = section('Latency, visits at once', stageRows, 40 + a.height);
  const height = 60 + a.height + b.height;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="780" height="${height}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>${a.svg}${b.svg}</svg>\n`;
}
