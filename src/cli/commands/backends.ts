import { Command } from 'commander';
import { clientResponseSchemas, engineSchemaProblems, isMmevolveError, mmevolveError, taskResponseSchema } from '../../core/index.js';
import type { Embedder, MllmClient, RgbImage, Segmenter } from '../../core/index.js';
import { addWorkspaceOptions, openCommandWorkspace } from './workspace-options.js';
import type { WorkspaceCommandOptions } from './workspace-options.js';

/** One line of `mmevolve backends check`. */
export interface BackendCheck {
  role: string;
  ok: boolean;
  latencyMs: number;
  detail: string;
  error?: { code: string; message: string };
}

/** A real task (src/core/tasks.ts) any instruction-following model and the simulated server can answer. */
const pingSchema = { name: 'judge_answer', schema: taskResponseSchema('judge_answer') };
const PING_PROMPT = 'Are the final answers of Answer and Gold equivalent? Reply only with JSON {"equivalent": true} or {"equivalent": false}.\nAnswer: \\boxed{4}\nGold: 4';

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; latencyMs: number }> {
  const started = performance.now();
  const value = await work();
  return { value, latencyMs: performance.now() - started };
}

async function checkMllm(client: MllmClient, timeoutMs: number): Promise<Omit<BackendCheck, 'role'>> {
  const signal = AbortSignal.timeout(timeoutMs);
  // Some hosted APIs do not serve /models; the chat check below still decides whether the backend works.
  let served: string;
  let latencyMs: number | undefined;
  try {
    const models = await timed(() => client.listModels(signal));
    latencyMs = models.latencyMs;
    served = models.value.includes(client.model) ? 'served' : `NOT in /models (${models.value.slice(0, 5).join(', ') || 'none'})`;
  } catch (error) {
    served = `(GET /models failed: ${isMmevolveError(error) ? error.code : 'error'})`;
  }
  let structured: string;
  try {
    const reply = await timed(() =>
      client.chat({
        messages: [{ role: 'user', content: PING_PROMPT }],
        schema: pingSchema,
        temperature: 0,
        maxTokens: 32,
        cache: false,
        stage: 'backends-check',
        signal,
      }),
    );
    latencyMs ??= reply.latencyMs;
    const how = reply.value.call.repairs > 0 ? 'after a repair turn' : client.supportsJsonSchema ? 'yes (json_schema)' : 'yes (parsed from text)';
    structured = `${how}, ${reply.value.value.equivalent ? 'answered correctly' : 'answered wrongly'}`;
  } catch (error) {
    // A model that answers but not in JSON still works; an unreachable or failing server does not.
    if (!isMmevolveError(error) || error.code !== 'invalid-model-output') throw error;
    structured = 'no (invalid-model-output)';
  }
  return {
    ok: true,
    latencyMs: latencyMs ?? 0,
    detail: `model ${client.model} ${served}; profile ${client.profileName}; structured output: ${structured}`,
  };
}

function testImage(): RgbImage {
  const width = 64;
  const height = 48;
  const data = new Uint8Array(width * height * 3).fill(235);
  for (let y = 12; y < 36; y += 1) for (let x = 16; x < 40; x += 1) data.set([200, 30, 30], (y * width + x) * 3);
  return { width, height, data };
}

async function checkSegmenter(segmenter: Segmenter, timeoutMs: number): Promise<Omit<BackendCheck, 'role'>> {
  const signal = AbortSignal.timeout(timeoutMs);
  // One concept_segment request with a text and a box prompt: what every run sends (one encode on the server).
  const segmented = await timed(() =>
    segmenter.segmentPrompts(testImage(), [{ kind: 'text', text: 'red square' }, { kind: 'boxes', boxes: [[16, 12, 40, 36]], labels: [true] }], { signal, stage: 'backends-check' }),
  );
  const [text, box] = segmented.value;
  return {
    ok: true,
    latencyMs: segmented.latencyMs,
    detail: `concept_segment ${segmented.latencyMs.toFixed(0)} ms (text + box prompt in one request): ${text?.instances.length ?? 0} and ${box?.instances.length ?? 0} instance(s)`,
  };
}

async function checkEmbedder(embedder: Embedder, timeoutMs: number): Promise<Omit<BackendCheck, 'role'>> {
  const signal = AbortSignal.timeout(timeoutMs);
  const texts = await timed(() => embedder.embedTexts(['a red square'], { signal, stage: 'backends-check' }));
  const label = embedder.kind === 'semantic' ? 'semantic (as configured)' : 'LEXICAL/PERCEPTUAL vectors, not semantic';
  return { ok: true, latencyMs: texts.latencyMs, detail: `model ${embedder.model} (${label}), ${texts.value[0]?.length ?? 0} dimensions` };
}

async function guarded(role: string, check: () => Promise<Omit<BackendCheck, 'role'>>): Promise<BackendCheck> {
  const started = performance.now();
  try {
    return { role, ...(await check()) };
  } catch (error) {
    const code = isMmevolveError(error) ? error.code : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    return { role, ok: false, latencyMs: performance.now() - started, detail: message, error: { code, message } };
  }
}

function printSchemas(json: boolean): void {
  const schemas = clientResponseSchemas();
  if (json) {
    process.stdout.write(`${JSON.stringify(schemas, null, 2)}\n`);
    return;
  }
  for (const [task, schema] of Object.entries(schemas)) {
    const problems = engineSchemaProblems(schema);
    const verdict = problems.length === 0 ? 'follows every engine rule' : problems.map((problem) => `${problem.rule} at ${problem.path || '/'}`).join('; ');
    process.stdout.write(`# ${task} (response_format json_schema name "${task}", strict: true; ${verdict})\n${JSON.stringify(schema, null, 2)}\n\n`);
  }
}

export function registerBackendsCommand(program: Command): void {
  const backends = new Command('backends').description('Configured model backends (mllm, judge, segmenter, embedder).');
  backends
    .command('schemas')
    .description('Print every response_format JSON Schema the client can send, keyed by task name, to test a server with.')
    .option('--json', 'print one JSON object {task: schema}')
    .action((options: { json?: boolean }) => {
      printSchemas(options.json === true);
    });
  const check = backends
    .command('check')
    .description('Ping each configured backend: model ids, round-trip latency, whether structured output works.')
    .option('--timeout <ms>', 'per-backend time limit in milliseconds', '30000')
    .option('--json', 'print the results as JSON');
  addWorkspaceOptions(check).action(async (options: WorkspaceCommandOptions & { timeout: string; json?: boolean }) => {
      const timeoutMs = Number(options.timeout);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw mmevolveError('invalid-input', `--timeout must be a positive number, got ${options.timeout}`, 'Pass milliseconds, e.g. --timeout 30000.');
      const workspace = await openCommandWorkspace({ ...options, cache: false });
      const created = workspace.backends;
      const path = workspace.config.source;
      try {
        const checks: Promise<BackendCheck>[] = [];
        if (created.mllm !== undefined) { const client = created.mllm; checks.push(guarded('mllm', () => checkMllm(client, timeoutMs))); }
        if (created.judge !== undefined && created.judge !== created.mllm) { const client = created.judge; checks.push(guarded('judge', () => checkMllm(client, timeoutMs))); }
        if (created.segmenter !== undefined) { const segmenter = created.segmenter; checks.push(guarded('segmenter', () => checkSegmenter(segmenter, timeoutMs))); }
        if (created.embedder !== undefined) { const embedder = created.embedder; checks.push(guarded('embedder', () => checkEmbedder(embedder, timeoutMs))); }
        if (checks.length === 0) throw mmevolveError('config-invalid', `${path} configures no backends`, 'Pass --base-url URL --model ID (and --segmenter-url, --embedder-url), or add backends to mmevolve.config.* (`mmevolve init` writes one).');
        const results = await Promise.all(checks);
        if (options.json === true) process.stdout.write(`${JSON.stringify({ config: path, results }, null, 2)}\n`);
        else {
          process.stdout.write(`config: ${path}\n`);
          for (const result of results) {
            const status = result.ok ? 'ok  ' : 'FAIL';
            const code = result.error === undefined ? '' : ` [${result.error.code}]`;
            process.stdout.write(`${result.role.padEnd(10)} ${status} ${result.latencyMs.toFixed(0).padStart(6)} ms  ${result.detail}${code}\n`);
          }
        }
        if (results.some((result) => !result.ok)) process.exitCode = 1;
      } finally {
        await workspace.close();
      }
    });
  program.addCommand(backends);
}
