import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { chatCompletion, modelsList, startFakeServer } from '../../backends/__tests__/fake-servers.js';
import type { FakeServer } from '../../backends/__tests__/fake-servers.js';
import { registerBackendsCommand } from './backends.js';

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('mmevolve backends check', () => {
  it('reports model ids, structured output and a failing backend as JSON and sets the exit code', async () => {
    const mllm = await startFakeServer((_body, _index, path) =>
      path.endsWith('/models') ? { json: modelsList(['Qwen/Qwen2.5-VL-7B-Instruct']) } : { json: chatCompletion('{"equivalent": true}') },
    );
    servers.push(mllm);
    const directory = await mkdtemp(join(tmpdir(), 'mmevolve-check-'));
    const config = {
      backends: {
        mllm: { baseURL: `${mllm.url}/v1`, model: 'Qwen/Qwen2.5-VL-7B-Instruct' },
        // Port 9 on loopback: nothing listens, so the check must fail cleanly.
        segmenter: { baseURL: 'http://127.0.0.1:9', maxRetries: 0 },
        embedder: { kind: 'offline' },
      },
      cache: { enabled: false },
    };
    await writeFile(join(directory, 'mmevolve.config.json'), JSON.stringify(config));
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
    const program = new Command('mmevolve').exitOverride();
    registerBackendsCommand(program);
    try {
      await program.parseAsync(['backends', 'check', '--json', '--config', join(directory, 'mmevolve.config.json')], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    const report = JSON.parse(output.join('')) as { results: { role: string; ok: boolean; detail: string; error?: { code: string } }[] };
    const byRole = Object.fromEntries(report.results.map((result) => [result.role, result]));
    expect(byRole['mllm']?.ok).toBe(true);
    expect(byRole['mllm']?.detail).toContain('structured output: yes (json_schema), answered correctly');
    expect(byRole['mllm']?.detail).toContain('profile qwen2.5-vl');
    expect(byRole['segmenter']).toMatchObject({ ok: false, error: { code: 'backend-unavailable' } });
    expect(byRole['embedder']?.detail).toContain('LEXICAL/PERCEPTUAL');
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });
});

describe('mmevolve backends schemas', () => {
  it('prints every structured task schema as JSON, keyed by task name, each following every engine rule', async () => {
    const { TASK_NAMES, engineSchemaProblems, isStructuredTask } = await import('../../core/index.js');
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
    const program = new Command('mmevolve').exitOverride();
    registerBackendsCommand(program);
    try {
      await program.parseAsync(['backends', 'schemas', '--json'], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    const schemas = JSON.parse(output.join('')) as Record<string, unknown>;
    expect(Object.keys(schemas).sort()).toEqual(TASK_NAMES.filter(isStructuredTask).sort());
    for (const [task, schema] of Object.entries(schemas)) expect(engineSchemaProblems(schema), `${task} breaks a rule`).toEqual([]);
    expect(JSON.stringify(schemas)).not.toContain('prefixItems');
  });
});
