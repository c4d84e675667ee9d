/**
 * The package as an installed user gets it: `npm run build` (tsc, tsconfig.build.json) emits lib/, the
 * `mmevolve` command is lib/cli/main.js run by plain node (no tsx), `mmevolve` is the product entry and
 * `mmevolve/sim` the simulator's. The build is incremental, so a second run in a session costs little.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Manifest {
  bin?: Record<string, string>;
  exports?: Record<string, { types?: string; default?: string }>;
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  files?: string[];
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
/** Plain node: no loader inherited from the test runner's environment. */
const plainEnv = { ...process.env, NODE_OPTIONS: '' };

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' });
}

beforeAll(async () => {
  await run(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: ROOT, maxBuffer: 1 << 24 }).catch((error: { stdout?: string; message: string }) => {
    throw new Error(`npm run build (tsc -p tsconfig.build.json) failed:\n${error.stdout ?? error.message}`);
  });
}, 300_000);

describe('the built package', () => {
  it('declares the built JavaScript as its command and entries, builds on install, and needs no tsx at run time', () => {
    expect(manifest.bin, 'package.json "bin"').toEqual({ mmevolve: 'lib/cli/main.js' });
    expect(manifest.exports, 'package.json "exports"').toEqual({
      '.': { types: './lib/index.d.ts', default: './lib/index.js' },
      './sim': { types: './lib/sim/index.d.ts', default: './lib/sim/index.js' },
    });
    expect(manifest.scripts?.['build'], 'the build script').toBe('tsc -p tsconfig.build.json');
    expect(manifest.scripts?.['prepare'], 'npm ci / npm install build lib/').toBe('npm run build');
    expect(manifest.files, 'lib/ is packed although git ignores it').toContain('lib');
    expect(manifest.files, 'the built UI is packed, so `mmevolve serve` finds it beside lib/ without vite').toContain('dist/web');
    expect(manifest.scripts?.['prepack'], 'npm pack / publish build the UI first').toBe('npm run build:web');
    expect(Object.keys(manifest.dependencies ?? {}), 'tsx is a devDependency only').not.toContain('tsx');
    for (const target of [manifest.bin?.['mmevolve'], ...Object.values(manifest.exports ?? {}).flatMap((entry) => [entry.types, entry.default])]) {
      expect(existsSync(join(ROOT, target ?? 'missing')), `${target} was built`).toBe(true);
    }
  });

  it('keeps tests, test support and the browser UI sources out of lib/, and finds the UI sources from lib/', async () => {
    // lib/web holds only build-web (the server's UI builder); the UI's own sources are bundled by Vite.
    const stray = filesUnder(join(ROOT, 'lib')).filter((file) => /\.test\.|__tests__|__fixtures__|test-support/u.test(file) || (/^web[/\\]/u.test(file) && !/^web[/\\]build-web\./u.test(file)));
    expect(stray, 'test or UI files in lib/').toEqual([]);
    const built = (await import(join(ROOT, 'lib', 'web', 'build-web.js'))) as { WEB_SOURCE_DIR: string; WEB_DIST_DIR: string };
    expect(resolve(built.WEB_SOURCE_DIR), 'the built server looks for the UI sources in src/web').toBe(join(ROOT, 'src', 'web'));
    expect(resolve(built.WEB_DIST_DIR), 'and for the built UI in dist/web').toBe(join(ROOT, 'dist', 'web'));
  });

  it('runs `mmevolve --help` from lib/cli/main.js with plain node', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'lib', 'cli', 'main.js'), '--help'], { cwd: ROOT, env: plainEnv });
    expect(stdout, 'the help text').toContain('Usage: mmevolve');
    expect(stdout, 'the command list').toMatch(/segment/u);
    expect(readFileSync(join(ROOT, 'lib', 'cli', 'main.js'), 'utf8').startsWith('#!/usr/bin/env node'), 'the command starts with a node shebang').toBe(true);
  }, 60_000);

  it('resolves `mmevolve` to the product entry (no simulator) and `mmevolve/sim` to the simulator, with plain node', async () => {
    const probe = `const main = await import('mmevolve'); const sim = await import('mmevolve/sim');
      console.log(JSON.stringify({ main: Object.keys(main).sort(), sim: typeof sim.startSimStack }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT, env: plainEnv });
    const { main, sim } = JSON.parse(stdout) as { main: string[]; sim: string };
    expect(main, 'the product entry offers the methods').toEqual(expect.arrayContaining(['evolveSegment', 'solveWithMemory', 'openWorkspace']));
    expect(main.filter((name) => /sim|recording/iu.test(name)), 'no simulator or test mock in the product entry').toEqual([]);
    expect(sim, 'mmevolve/sim offers startSimStack').toBe('function');
  }, 60_000);
});
