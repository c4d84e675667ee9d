/**
 * The house rules on imports, checked over src/ (part of `npm test`; ARCHITECTURE.md explains them):
 * 1. Modules depend one way: core ← vision ← protocols ← backends ← (evolve, memory) ← eval ← app ←
 *    (server, cli); the web UI reads core, vision and server (the response types it renders); sim depends
 *    only on core, vision and protocols; no product code imports sim, except the `mmevolve sim` command
 *    group (src/cli/commands/sim-*.ts), which is the simulator's own front door.
 * 2. No runtime import cycle between files (tests included). Type-only imports (`import type`) are erased
 *    at run time, so a cycle closed only by one is allowed.
 * Tests and test support (*.test.ts, __tests__/, __fixtures__/, *test-support.ts) may import any module.
 * Prints every violation with the importing file and exits 1 when there is one.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOWER = ['core', 'vision', 'protocols', 'backends', 'evolve', 'memory', 'eval', 'app', 'server', 'cli'] as const;

/** What each module may import (besides itself). Modules not listed here are an error until given a rule. */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  vision: ['core'],
  protocols: ['core', 'vision'],
  backends: ['core', 'vision', 'protocols'],
  evolve: ['core', 'vision', 'protocols', 'backends'],
  memory: ['core', 'vision', 'protocols', 'backends'],
  eval: ['core', 'vision', 'protocols', 'backends', 'evolve', 'memory'],
  app: ['core', 'vision', 'protocols', 'backends', 'evolve', 'memory', 'eval'],
  server: ['core', 'vision', 'protocols', 'backends', 'evolve', 'memory', 'eval', 'app'],
  cli: ['core', 'vision', 'protocols', 'backends', 'evolve', 'memory', 'eval', 'app', 'server', 'web'],
  web: ['core', 'vision', 'server'],
  sim: ['core', 'vision', 'protocols'],
  // src/index.ts, the library entry: the product modules, never sim.
  '(entry)': LOWER.filter((name) => name !== 'cli'),
};

/** Files that may import sim although their module may not. */
const SIM_FRONT_DOOR = /^cli\/commands\/sim-[^/]+\.ts$/u;

export function isTestFile(path: string): boolean {
  return /\.test\.ts$|(^|\/)__tests__\/|(^|\/)__fixtures__\/|test-support\.ts$/u.test(path);
}

/** The module of a path relative to src/ ('backends/config.ts' → 'backends', 'index.ts' → '(entry)'). */
export function moduleOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? '(entry)' : path.slice(0, slash);
}

export interface ImportEdge {
  specifier: string;
  /** `import type …` / `export type …`: gone at run time. */
  typeOnly: boolean;
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
export function importSpecifiers(source: string): ImportEdge[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//gu, '').replace(/^\s*\/\/.*$/gmu, '');
  const found: ImportEdge[] = [];
  const pattern = /(?:^|[\s;])(import|export)(\s+type)?\s[^;'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gmu;
  for (const match of withoutComments.matchAll(pattern)) {
    const specifier = match[3] ?? match[4] ?? match[5];
    if (specifier?.startsWith('.')) found.push({ specifier, typeOnly: match[2] !== undefined });
  }
  return found;
}

export interface Violation {
  file: string;
  message: string;
}

/** Checks the given files (paths relative to src/, with their sources). */
export function checkImports(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, source] of files) {
    const edges: string[] = [];
    graph.set(file, edges);
    const from = moduleOf(file);
    const allowed = ALLOWED[from];
    for (const { specifier, typeOnly } of importSpecifiers(source)) {
      const target = join(dirname(file), specifier).split(sep).join('/').replace(/\.js$/u, '.ts');
      if (target.startsWith('..')) continue; // outside src/ (e.g. package.json): not a module edge
      if (files.has(target) && !typeOnly) edges.push(target);
      const to = moduleOf(target);
      if (to === from || isTestFile(file)) continue;
      if (allowed === undefined) {
        violations.push({ file, message: `module '${from}' has no dependency rule in scripts/check-imports.ts (ALLOWED)` });
        break;
      }
      if (to === 'sim' && SIM_FRONT_DOOR.test(file)) continue;
      if (!allowed.includes(to)) {
        const why = to === 'sim' ? 'product code never imports the simulator' : `'${from}' may import only ${allowed.length === 0 ? 'nothing' : allowed.join(', ')}`;
        violations.push({ file, message: `imports '${specifier}' (module '${to}'): ${why}` });
      }
    }
  }
  for (const cycle of importCycles(graph)) violations.push({ file: cycle[0] ?? '', message: `import cycle: ${[...cycle, cycle[0]].join(' → ')}` });
  return violations;
}

/** One cycle per strongly connected component of more than one file (or a file importing itself). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.reverse().sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

function sourcesUnder(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const path = entry.split(sep).join('/');
    if (path.endsWith('.ts')) files.set(path, readFileSync(join(root, entry), 'utf8'));
  }
  return files;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(new URL('../src', import.meta.url)));
  const files = sourcesUnder(root);
  const violations = checkImports(files);
  for (const { file, message } of violations) console.error(`${relative(process.cwd(), join(root, file))}: ${message}`);
  if (violations.length > 0) {
    console.error(`check-imports: ${violations.length} violation(s) of the dependency rule (ARCHITECTURE.md)`);
    process.exit(1);
  }
  console.log(`check-imports: ${files.size} files, dependency rule kept, no import cycle`);
}
