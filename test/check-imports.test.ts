import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImports } from '../scripts/check-imports.js';

const SRC = resolve(import.meta.dirname, '..', 'src');

function tree(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(files));
}

function messages(files: Record<string, string>): string[] {
  return checkImports(tree(files)).map(({ file, message }) => `${file}: ${message}`);
}

describe('the dependency rule (scripts/check-imports.ts)', () => {
  it('holds on the whole of src/, with no runtime import cycle', () => {
    const files = new Map<string, string>();
    for (const entry of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
      if (entry.endsWith('.ts')) files.set(entry.split(sep).join('/'), readFileSync(join(SRC, entry), 'utf8'));
    }
    expect(files.size, 'src/ was read').toBeGreaterThan(100);
    expect(checkImports(files).map(({ file, message }) => `${file}: ${message}`), 'violations (see ARCHITECTURE.md)').toEqual([]);
  });

  it('refuses upward imports and names what the module may import', () => {
    const found = messages({ 'backends/a.ts': "import { x } from '../evolve/index.js';", 'evolve/index.ts': '', 'app/b.ts': "import { s } from '../server/index.js';", 'server/index.ts': '' });
    expect(found, 'backends → evolve and app → server').toEqual([
      "backends/a.ts: imports '../evolve/index.js' (module 'evolve'): 'backends' may import only core, vision, protocols",
      "app/b.ts: imports '../server/index.js' (module 'server'): 'app' may import only core, vision, protocols, backends, evolve, memory, eval",
    ]);
  });

  it('keeps sim on core, vision and protocols, and product code off sim except the `mmevolve sim` commands and tests', () => {
    const found = messages({
      'sim/a.ts': "import { createBackends } from '../backends/index.js';\nimport { z } from '../protocols/index.js';",
      'server/b.ts': "export { startSimStack } from '../sim/index.js';",
      'index.ts': "export * from './sim/index.js';",
      'cli/commands/sim-serve.ts': "import { startSimMllmServer } from '../../sim/index.js';",
      'server/c.test.ts': "import { startSimMllmServer } from '../sim/index.js';",
      'evolve/__tests__/support.ts': "import { x } from '../../sim/index.js';",
      'sim/index.ts': '',
      'backends/index.ts': '',
      'protocols/index.ts': '',
    });
    expect(found).toEqual([
      "sim/a.ts: imports '../backends/index.js' (module 'backends'): 'sim' may import only core, vision, protocols",
      "server/b.ts: imports '../sim/index.js' (module 'sim'): product code never imports the simulator",
      "index.ts: imports './sim/index.js' (module 'sim'): product code never imports the simulator",
    ]);
  });

  it('allows the app layer on everything below it, and wants a rule for a new module', () => {
    expect(messages({ 'app/a.ts': "import { e } from '../eval/index.js';\nimport type { M } from '../memory/index.js';", 'eval/index.ts': '', 'memory/index.ts': '' }), 'app → eval, memory').toEqual([]);
    expect(messages({ 'plugins/a.ts': "import { c } from '../core/index.js';", 'core/index.ts': '' })).toEqual(["plugins/a.ts: module 'plugins' has no dependency rule in scripts/check-imports.ts (ALLOWED)"]);
  });

  it('finds a runtime import cycle but not one closed only by a type import', () => {
    expect(messages({ 'core/a.ts': "import { b } from './b.js';", 'core/b.ts': "import { c } from './c.js';", 'core/c.ts': "export { a } from './a.js';" })).toEqual(['core/a.ts: import cycle: core/a.ts → core/b.ts → core/c.ts → core/a.ts']);
    expect(messages({ 'core/a.ts': "import { b } from './b.js';", 'core/b.ts': "import type { A } from './a.js';" }), 'type-only back edge').toEqual([]);
  });
});
