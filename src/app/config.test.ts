import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVOLVE_PRESET } from '../evolve/index.js';
import { loadAppConfig, parseAppConfig } from './config.js';

function messageOf(value: unknown): string {
  try {
    parseAppConfig(value, 'mmevolve.config.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

let directory = '';
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'mmevolve-app-config-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the app config schema', () => {
  it('names an unknown top-level key and the nearest valid one', () => {
    expect(messageOf({ evolv: { preset: 'improved' } })).toContain("unknown key 'evolv' at top level; did you mean 'evolve'?");
    expect(messageOf({ backend: { mllm: { baseURL: 'http://127.0.0.1:8000/v1', model: 'm' } } })).toContain("unknown key 'backend' at top level; did you mean 'backends'?");
  });

  it('is strict at every level and names the key path of each typo', () => {
    expect(messageOf({ backends: { mlm: {} } })).toContain("unknown key 'mlm' at backends; did you mean 'mllm'?");
    expect(messageOf({ backends: { mllm: { baseURL: 'http://x/v1', model: 'm', temprature: 0 } } })).toContain("unknown key 'temprature' at backends.mllm");
    expect(messageOf({ evolve: { populationSise: 3 } })).toContain("unknown key 'populationSise' at evolve; did you mean 'populationSize'?");
    expect(messageOf({ evolve: { arena: { skipIOU: 0.5 } } })).toContain("unknown key 'skipIOU' at evolve.arena; did you mean 'skipIou'?");
    expect(messageOf({ memory: { retrieval: { visual: { minImageScor: 0.2 } } } })).toContain("unknown key 'minImageScor' at memory.retrieval.visual; did you mean 'minImageScore'?");
    expect(messageOf({ backends: { embedder: { kind: 'offline', dimension: 64 } } })).toContain("unknown key 'dimension' at backends.embedder; did you mean 'dimensions'?");
    expect(messageOf({ server: { prot: 80 } })).toContain("unknown key 'prot' at server; did you mean 'port'?");
    expect(messageOf({ store: { kind: 'sqlite', pth: 'x' } })).toContain("unknown key 'pth' at store; did you mean 'path'?");
    expect(messageOf({ backends: { judge: { baseURL: 'not a url', model: 'm' } } })).toMatch(/^mmevolve\.config\.yaml: backends\.judge\.baseURL: /);
  });

  it('takes a store of kind sqlite or postgres and refuses other kinds and bad fields by key path', () => {
    expect(parseAppConfig({ store: { kind: 'sqlite', path: 'lessons.sqlite' } }).store).toEqual({ kind: 'sqlite', path: 'lessons.sqlite' });
    expect(parseAppConfig({ store: { kind: 'postgres', url: 'postgres://mmevolve@db:5432/lessons' } }).store).toEqual({ kind: 'postgres', url: 'postgres://mmevolve@db:5432/lessons', schema: 'mmevolve', maxConnections: 10 });
    expect(messageOf({ store: { kind: 'mysql', url: 'mysql://x' } })).toContain('store.kind');
    expect(messageOf({ store: { kind: 'postgres', url: 'http://db:5432/x' } })).toContain('store.url');
    expect(messageOf({ store: { kind: 'postgres', url: 'postgres://db/x', schema: 'Lessons; drop' } })).toContain('store.schema');
    expect(messageOf({ store: { kind: 'postgres', url: 'postgres://db/x', path: 'x.db' } })).toContain("unknown key 'path' at store");
  });

  it('accepts evolve.preset with overrides (eval used to reject it) and defaults the preset once for every surface', () => {
    const config = parseAppConfig({ evolve: { preset: 'published', populationSize: 3 } });
    expect(config.evolve).toEqual({ preset: 'published', presetFromFile: true, overrides: { populationSize: 3 } });
    expect(parseAppConfig({}).evolve.preset).toBe(DEFAULT_EVOLVE_PRESET);
    expect(DEFAULT_EVOLVE_PRESET).toBe('improved');
    expect(messageOf({ evolve: { preset: 'best' } })).toContain('evolve.preset');
  });

  it('loads YAML and JSON files relative to their folder, and reports a missing file as not-found', async () => {
    await writeFile(join(directory, 'mmevolve.config.yaml'), '# comments are fine\nbackends:\n  mllm:\n    baseURL: http://127.0.0.1:8000/v1\n    model: Qwen/Qwen3-VL-8B-Instruct\n');
    const config = await loadAppConfig(undefined, directory);
    expect(config.source.endsWith('mmevolve.config.yaml')).toBe(true);
    expect(config.directory).toBe(directory);
    expect(config.backends.mllm?.model).toBe('Qwen/Qwen3-VL-8B-Instruct');
    await expect(loadAppConfig('missing.json', directory)).rejects.toMatchObject({ code: 'not-found' });
    await writeFile(join(directory, 'broken.json'), '{"backends": ');
    await expect(loadAppConfig('broken.json', directory)).rejects.toMatchObject({ code: 'config-invalid' });
  });
});
