import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/mmevolve.js', import.meta.url));

/** Start `mmevolve sim <args>` on a free port, return its first stdout line, the URL in it, and a stopper. */
async function start(args: string[]): Promise<{ line: string; url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'sim', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
  const url = /http:\/\/[0-9.:]+/.exec(line)?.[0] ?? '';
  return {
    line,
    url,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

describe('mmevolve sim serve-*', () => {
  it('serve-mllm says it is simulated, serves its model id, and stops on Ctrl-C', async () => {
    const server = await start(['serve-mllm', '--preset', 'oracle', '--profile', 'qwen3-vl']);
    try {
      expect(server.line).toContain('SIMULATED');
      const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data[0]?.id).toBe('sim-qwen3-vl');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);

  it('serve-segmenter and serve-embeddings say they are simulated and answer their metrics and models', async () => {
    const segmenter = await start(['serve-segmenter', '--preset', 'weak']);
    const embeddings = await start(['serve-embeddings']);
    try {
      expect(segmenter.line).toContain('SIMULATED');
      expect(embeddings.line).toContain('SIMULATED');
      expect(await (await fetch(`${segmenter.url}/metrics`)).json()).toMatchObject({ requests: 0, imageEncodes: 0, simulated: true });
      const models = (await (await fetch(`${embeddings.url}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data[0]?.id).toBe('sim-embedding');
    } finally {
      await Promise.all([segmenter.stop(), embeddings.stop()]);
    }
  }, 30_000);
});
