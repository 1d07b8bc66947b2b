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
  api: { may: ['db', 'domain', 'temporal', 'workflows/definitions', 'workflows/search-attributes'], nodeBuiltins: true },
  db: { may: ['domain', 'migrations'], nodeBuiltins: true },
  migrations: { may: [], nodeBuiltins: true },
  simulators: { may: ['domain', 'config'], nodeBuiltins: true },
  config: { may: ['temporal', 'domain'], nodeBuiltins: true },
  /** The payload codec every Temporal client and worker installs (PHI sealed in history). */
  temporal: { may: [], nodeBuiltins: true },
};
/** Node built-ins that workflow and domain code may use (deterministic, no I/O). */
const PURE_BUILTINS = new Set(['assert', 'url', 'util']);
/** Domain code may also hash (webhook signatures, ruleset versions): pure, but not for workflow code. */
const DOMAIN_BUILTINS = new Set([...PURE_BUILTINS, 'crypto']);

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
        if (builtin && !rule.nodeBuiltins && !(folder === 'domain' ? DOMAIN_BUILTINS : PURE_BUILTINS).has(bare))
          out.push(`${where}: imports Node built-in '${spec}'`);
        if (folder === 'workflows' && /^@temporalio\/(client|worker|activity)$/.test(spec) && !typeOnly)
          out.push(`${where}: imports '${spec}' (workflow code may import only @temporalio/workflow)`);
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

/** Every source file of ours and the files of ours it imports (type-only imports too: a circle of types is a circle of meaning). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const folders = readdirSync(root).filter((d) => !d.startsWith('.') && d !== 'node_modules' && statSync(join(root, d)).isDirectory());
  for (const file of folders.flatMap(sources)) {
    const deps: string[] = [];
    for (const { spec } of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const base = join(dirname(file), spec);
      const hit = [`${base}.ts`, join(base, 'index.ts'), base].find((p) => {
        try {
          return statSync(p).isFile();
        } catch {
          return false;
        }
      });
      if (hit) deps.push(relative(root, hit));
    }
    graph.set(relative(root, file), deps);
  }
  return graph;
}

test('the import graph has no circle', () => {
  const graph = importGraph();
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') circles.push([...path.slice(path.indexOf(dep)), dep].join(' → '));
      else if (!state.has(dep)) visit(dep);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  expect(circles).toEqual([]);
});
