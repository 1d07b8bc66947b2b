/**
 * DESIGN.md §2 as a test: which folder may import which. A change that reaches across
 * (workflow code importing an integration, domain code doing I/O) fails here, not in review.
 * Test files are exempt: they may wire anything.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

const root = join(__dirname, '..');

/** Folder → the folders of ours it may import from (itself always allowed), and whether Node built-ins are allowed. */
const RULES: Record<string, { may: string[]; nodeBuiltins: boolean; note?: string }> = {
  workflows: { may: ['domain', 'workflows'], nodeBuiltins: false, note: 'activities only as `import type`' },
  activities: { may: ['integrations', 'db', 'domain', 'workflows/definitions', 'workflows/search-attributes'], nodeBuiltins: true },
  domain: { may: [], nodeBuiltins: false },
  integrations: { may: ['domain'], nodeBuiltins: true },
  api: { may: ['db', 'domain', 'workflows/definitions', 'workflows/search-attributes'], nodeBuiltins: true },
  db: { may: ['domain', 'migrations'], nodeBuiltins: true },
  migrations: { may: [], nodeBuiltins: true },
  simulators: { may: ['domain', 'config'], nodeBuiltins: true },
  config: { may: [], nodeBuiltins: true },
};
/** Node built-ins that workflow and domain code may use (deterministic, no I/O). */
const PURE_BUILTINS = new Set(['assert', 'url', 'util']);

function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'node_modules' && name !== 'histories') walk(p);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(join(root, folder));
  return out;
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) found.push({ spec: m[3], typeOnly: !!m[2] });
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ spec: m[1], typeOnly: false });
  for (const m of text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ spec: m[1], typeOnly: false });
  return found;
}

/** The folder of ours an import points at ('domain', 'workflows/definitions', ...), or undefined for a package. */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const rel = relative(root, join(dirname(file), spec)).split(sep);
  return rel[0] === 'workflows' || rel[0] === 'activities' ? rel.slice(0, 2).join('/') : rel[0];
}

function violations(folder: string): string[] {
  const rule = RULES[folder];
  const out: string[] = [];
  for (const file of sources(folder)) {
    const where = relative(root, file);
    for (const { spec, typeOnly } of importsOf(file)) {
      const bare = spec.replace(/^node:/, '').split('/')[0];
      if (!spec.startsWith('.')) {
        const builtin = spec.startsWith('node:') || builtinModules.includes(bare);
        if (builtin && !rule.nodeBuiltins && !PURE_BUILTINS.has(bare)) out.push(`${where}: imports Node built-in '${spec}'`);
        if (folder === 'workflows' && /^@temporalio\/(client|worker|activity)$/.test(spec) && !typeOnly) out.push(`${where}: imports '${spec}' (workflow code may import only @temporalio/workflow)`);
        continue;
      }
      const to = target(file, spec)!;
      const top = to.split('/')[0];
      if (top === folder) continue;
      if (folder === 'workflows' && top === 'activities' && typeOnly) continue;
      const allowed = rule.may.some((m) => to === m || top === m);
      if (!allowed) out.push(`${where}: imports '${spec}' (${folder}/ may import ${rule.may.join(', ') || 'nothing of ours'})`);
    }
  }
  return out;
}

describe('module boundaries (DESIGN.md §2)', () => {
  it.each(Object.keys(RULES))('%s/ imports only what it may', (folder) => {
    expect(violations(folder)).toEqual([]);
  });
});
