/**
 * One config file, the same resolved settings on every surface, each opened through openWorkspace: the CLI
 * (`segment` writes them to trace.json), the server (`/v1/segment` answers with them; the web UI sends no
 * preset, so it gets the server's), and the library (`workspace.evolve()`). SIMULATED servers on loopback.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppConfig, loadWorkspaceConfig, openWorkspace } from '../src/app/index.js';
import { resolveCommandSettings } from '../src/cli/commands/config.js';
import { runSegmentCommand } from '../src/cli/commands/segment.js';
import { settingsResponseSchema } from '../src/server/api-schemas.js';
import { serverOptionsFromWorkspace } from '../src/server/index.js';
import { createTestServer } from '../src/server/server-test-support.js';
import { buildReasonSegSample, startSimStack } from '../src/sim/index.js';
import type { SimStack } from '../src/sim/index.js';
import { encodeImage, writeImage } from '../src/vision/index.js';

let root = '';
let sims: SimStack;
let configPath = '';

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-same-settings-'));
  sims = await startSimStack({ preset: 'oracle' });
  configPath = path.join(root, 'mmevolve.config.yaml');
  const yaml = [
    'backends:',
    `  mllm: { baseURL: "${sims.mllm.url}/v1", model: ${sims.mllm.modelId}, image: { format: png, resizeToProfile: false } }`,
    `  segmenter: { baseURL: "${sims.segmenter.url}" }`,
    'cache: { enabled: false }',
    'evolve:',
    '  preset: published',
    '  populationSize: 3',
    '  stopping: { maxGenerations: 1 }',
    'memory:',
    '  retrieval: { logic: { k: 2 }, visual: { minImageScore: 0.25 } }',
    `store: { kind: sqlite, path: ":memory:" }`,
  ].join('\n');
  await writeFile(configPath, `${yaml}\n`);
});

afterAll(async () => {
  await sims.close();
  await rm(root, { recursive: true, force: true });
});

describe('the same config file on every surface', () => {
  it('resolves the same evolve settings for the CLI, the server (and so the web UI) and the library', async () => {
    const sample = buildReasonSegSample(7, 0);
    const imagePath = path.join(root, 'scene.png');
    await writeImage(imagePath, sample.rendered.image);

    const out = path.join(root, 'cli');
    await runSegmentCommand({ config: configPath, image: imagePath, query: sample.query.query, method: 'evol', out }, { stdout: () => undefined, stderr: () => undefined, interactive: false });
    const cli = JSON.parse(await readFile(path.join(out, 'trace.json'), 'utf8')) as { preset: string; evolve: unknown };

    // As mmevolve serve opens it: without an embedder the lesson store is made for the offline one.
    const workspace = openWorkspace(await loadWorkspaceConfig({ configPath }), { offlineStoreWithoutEmbedder: true });
    const server = await createTestServer(await serverOptionsFromWorkspace(workspace));
    const key = await server.keyFor('alice');
    const image = `data:image/png;base64,${(await encodeImage(sample.rendered.image, 'png')).toString('base64')}`;
    // The web UI's segment form sends image, query and method only.
    const response = await server.request('/v1/segment', { method: 'POST', key, json: { image, query: sample.query.query, method: 'evol' } });
    expect(response.status).toBe(200);
    const http = ((await response.json()) as { settings: { preset: string; evolve: unknown } }).settings;

    const library = openWorkspace(await loadAppConfig(configPath)).evolve();

    expect(cli.preset, 'CLI: the file\'s preset').toBe('published');
    expect(http.preset, 'server: the file\'s preset').toBe('published');
    expect(library.preset).toBe('published');
    expect(http.evolve, 'server = CLI').toEqual(cli.evolve);
    expect(library.config, 'library = CLI').toEqual(cli.evolve);
    expect(library.config.populationSize).toBe(3);
    expect(library.config.stopping.maxGenerations).toBe(1);
    await server.close();
    await workspace.close();
  }, 60_000);

  it('reports the same models, evolve settings and memory settings from the CLI, the server and the library', async () => {
    // CLI: `mmevolve config --json` resolves as every command does (openCommandWorkspace).
    const cli = await resolveCommandSettings({ config: configPath });
    // Server: as `mmevolve serve` wires it; GET /v1/settings reports what the app was given.
    const workspace = openWorkspace(await loadWorkspaceConfig({ configPath }), { offlineStoreWithoutEmbedder: true });
    const server = await createTestServer(await serverOptionsFromWorkspace(workspace));
    const response = await server.request('/v1/settings', { key: await server.keyFor('alice') });
    expect(response.status).toBe(200);
    const http = settingsResponseSchema.parse(await response.json());
    // Library: openWorkspace on the same file.
    const library = openWorkspace(await loadAppConfig(configPath));
    const libraryModels = { mllm: library.backends.mllm?.model, judge: library.backends.judge?.model, segmenter: library.backends.segmenter?.model };

    expect(cli.models, 'CLI models').toMatchObject({ mllm: sims.mllm.modelId, segmenter: libraryModels.segmenter });
    expect(http.models, 'server = CLI models').toEqual(cli.models);
    expect(libraryModels, 'library = CLI models').toEqual({ mllm: cli.models['mllm'], judge: cli.models['judge'], segmenter: cli.models['segmenter'] });
    expect(cli.evolve.preset, 'the file\'s preset').toBe('published');
    expect(http.evolve, 'server = CLI evolve').toEqual(cli.evolve);
    expect(library.evolve(), 'library = CLI evolve').toEqual(cli.evolve);
    expect(cli.memory.retrieval.logic.k, 'the file\'s memory settings').toBe(2);
    expect(cli.memory.retrieval.visual.minImageScore).toBe(0.25);
    expect(http.memory, 'server = CLI memory').toEqual(cli.memory);
    expect(library.memory(), 'library = CLI memory').toEqual(cli.memory);
    await server.close();
    await workspace.close();
    await library.close();
  }, 60_000);

  it('refuses a typo with its key named on every surface: the file (CLI, server, library) and a request body', async () => {
    const typo = path.join(root, 'typo.config.yaml');
    await writeFile(typo, `${(await readFile(configPath, 'utf8')).replace('memory:', 'memroy:')}`);
    const named = /unknown key 'memroy' at top level; did you mean 'memory'\?/u;
    await expect(resolveCommandSettings({ config: typo }), 'CLI').rejects.toThrow(named);
    await expect(loadWorkspaceConfig({ configPath: typo }), 'serve (its workspace)').rejects.toThrow(named);
    await expect(loadAppConfig(typo), 'library').rejects.toThrow(named);
    const nested = path.join(root, 'nested-typo.config.yaml');
    await writeFile(nested, (await readFile(configPath, 'utf8')).replace('minImageScore', 'minImageScor'));
    await expect(resolveCommandSettings({ config: nested }), 'a nested key').rejects.toThrow(/unknown key 'minImageScor' at memory\.retrieval\.visual; did you mean 'minImageScore'\?/u);

    const workspace = openWorkspace(await loadWorkspaceConfig({ configPath }), { offlineStoreWithoutEmbedder: true });
    const server = await createTestServer(await serverOptionsFromWorkspace(workspace));
    const response = await server.request('/v1/segment', { method: 'POST', key: await server.keyFor('alice'), json: { image: `data:image/png;base64,${(await encodeImage(buildReasonSegSample(7, 0).rendered.image, 'png')).toString('base64')}`, query: 'the cup', config: { populationSise: 3 } } });
    const body = (await response.json()) as { error: { message: string } };
    expect(response.status, 'a request\'s evolve override typo is a 400').toBe(400);
    expect(body.error.message, 'naming the key').toMatch(/populationSise/u);
    await server.close();
    await workspace.close();
  }, 60_000);
});
