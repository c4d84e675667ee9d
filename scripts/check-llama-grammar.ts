/**
 * Runs llama.cpp's own JSON-Schema-to-grammar converter on every schema the client can send and records,
 * per task, whether it converted, in src/core/__fixtures__/llama-grammar-check.json (with the schemas'
 * digest, so src/core/llama-grammar-check.test.ts fails when a schema changes and nobody re-ran this).
 *
 *   npx tsx scripts/check-llama-grammar.ts /path/to/llama.cpp [--commit SHA] [--python python3] [--dry-run]
 *
 * The checkout is read, never built: this runs `python3 <checkout>/examples/json_schema_to_grammar.py -`,
 * the Python converter llama.cpp keeps in step with common/json-schema-to-grammar.cpp (its
 * tests/test-json-schema-to-grammar.cpp runs both on the same cases and compares the grammars). The commit
 * is read with git from the checkout; pass --commit when the checkout is not a git work tree.
 * Exits 1 when any schema fails to convert (the record is written either way, unless --dry-run).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientResponseSchemas, clientSchemasDigest, schemaDigest } from '../src/core/index.js';

const RECORD = fileURLToPath(new URL('../src/core/__fixtures__/llama-grammar-check.json', import.meta.url));
const CONVERTER = join('examples', 'json_schema_to_grammar.py');

interface Options { checkout: string; commit?: string; python: string; dryRun: boolean }

function parseArgs(argv: string[]): Options {
  const options: Partial<Options> = { python: 'python3', dryRun: false };
  const value = (index: number): string => argv[index] ?? fail(`${argv[index - 1]} needs a value`);
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--commit') options.commit = value((index += 1));
    else if (arg === '--python') options.python = value((index += 1));
    else if (arg === '--dry-run') options.dryRun = true;
    else if (arg !== undefined && !arg.startsWith('--') && options.checkout === undefined) options.checkout = resolve(arg);
    else fail(`unknown argument ${arg}`);
  }
  if (options.checkout === undefined) fail('pass the path of a llama.cpp checkout');
  return options as Options;
}

function fail(message: string): never {
  process.stderr.write(`check-llama-grammar: ${message}\nusage: npx tsx scripts/check-llama-grammar.ts /path/to/llama.cpp [--commit SHA] [--python python3] [--dry-run]\n`);
  process.exit(2);
}

function checkoutCommit(checkout: string, given: string | undefined): string {
  if (given !== undefined) {
    if (!/^[0-9a-f]{40}$/.test(given)) fail(`--commit must be a 40-hex commit id, got ${given}`);
    return given;
  }
  const git = spawnSync('git', ['-C', checkout, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  if (git.status !== 0) fail(`${checkout} is not a git work tree (${git.stderr.trim()}); pass --commit SHA`);
  return git.stdout.trim();
}

interface Verdict { converted: boolean; schemaSha256: string; grammarRules?: number; error?: string }

function convert(python: string, converter: string, schema: unknown): Verdict {
  const run = spawnSync(python, [converter, '-'], { input: JSON.stringify(schema), encoding: 'utf8', timeout: 60_000 });
  if (run.error !== undefined) fail(`could not run ${python}: ${run.error.message}`);
  const grammar = run.stdout.trim();
  // The converter prints one `name ::= rule` line per rule and always a root rule; anything else is a failure.
  const rules = grammar.split('\n').filter((line) => /^[a-zA-Z0-9-]+ ::= /.test(line));
  if (run.status === 0 && rules.some((line) => line.startsWith('root ::= '))) return { converted: true, schemaSha256: schemaDigest(schema), grammarRules: rules.length };
  const lastLine = run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`;
  return { converted: false, schemaSha256: schemaDigest(schema), error: lastLine };
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const converter = join(options.checkout, CONVERTER);
  if (!existsSync(converter)) fail(`${converter} does not exist: is ${options.checkout} a llama.cpp checkout?`);
  const commit = checkoutCommit(options.checkout, options.commit);
  const results: Record<string, Verdict> = {};
  for (const [task, schema] of Object.entries(clientResponseSchemas())) {
    results[task] = convert(options.python, converter, schema);
    const verdict = results[task];
    process.stdout.write(`${verdict.converted ? 'ok  ' : 'FAIL'} ${task}${verdict.converted ? ` (${verdict.grammarRules} grammar rules)` : `: ${verdict.error}`}\n`);
  }
  const record = {
    about: 'Whether llama.cpp\'s own JSON-Schema-to-grammar converter converts every response_format schema the client sends. Written by scripts/check-llama-grammar.ts; src/core/llama-grammar-check.test.ts compares schemasSha256 with the current schemas.',
    upstream: { repo: 'ggml-org/llama.cpp', commit, converter: 'examples/json_schema_to_grammar.py', converterSha256: createHash('sha256').update(readFileSync(converter)).digest('hex') },
    schemasSha256: clientSchemasDigest(),
    results,
  };
  if (!options.dryRun) writeFileSync(RECORD, `${JSON.stringify(record, null, 2)}\n`);
  const failed = Object.entries(results).filter(([, verdict]) => !verdict.converted).map(([task]) => task);
  process.stdout.write(`${Object.keys(results).length - failed.length}/${Object.keys(results).length} schemas converted under llama.cpp @ ${commit.slice(0, 12)}${options.dryRun ? ' (dry run, record not written)' : `; recorded in ${RECORD}`}\n`);
  if (failed.length > 0) process.exit(1);
}

main();
