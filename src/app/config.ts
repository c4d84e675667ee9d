/**
 * The whole mmevolve.config.{yaml,yml,json} in one zod schema, strict at every level: backends and cache
 * (src/backends/config.ts), the evolve preset with overrides, the memory method, the lesson store and the
 * server. Every error names its key path, and an unknown key the nearest valid one. The evolve section is
 * kept as written (preset + overrides) so a preset chosen later (a --preset flag, a request) still gets
 * the file's overrides on top.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { backendsSectionSchema, cacheSectionSchema, configError } from '../backends/index.js';
import type { MmevolveConfig } from '../backends/index.js';
import { isPlainRecord, mmevolveError } from '../core/index.js';
import { DEFAULT_EVOLVE_PRESET, EVOLVE_PRESET_NAMES, evolveConfigSchema } from '../evolve/index.js';
import type { EvolvePresetName } from '../evolve/index.js';
import { DEFAULT_MEMORY_DB_PATH, DEFAULT_POSTGRES_SCHEMA, memoryMethodConfigSchema } from '../memory/index.js';
import type { MemoryMethodConfig } from '../memory/index.js';

export const CONFIG_FILE_NAMES = ['mmevolve.config.yaml', 'mmevolve.config.yml', 'mmevolve.config.json'] as const;

/** `evolve:` — a preset name plus any field of the evolve config (src/evolve/config.ts) over it. */
export const evolveSectionSchema = z.strictObject({ preset: z.enum(EVOLVE_PRESET_NAMES).optional(), ...evolveConfigSchema.shape });

/**
 * `store:` — where lessons live: one SQLite file (the default), or Postgres + pgvector shared by several
 * processes. Keep the password out of the file: the pg driver reads PGPASSWORD when the URL has none.
 */
export const storeSectionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sqlite'), path: z.string().min(1).default(DEFAULT_MEMORY_DB_PATH) }),
  z.strictObject({
    kind: z.literal('postgres'),
    url: z.string().regex(/^postgres(ql)?:\/\/\S+$/u, 'a postgres://user@host:5432/database URL'),
    /** The Postgres schema holding the tables, so several workspaces can share a database. */
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/u, 'a plain lower-case identifier (letters, digits, _)').default(DEFAULT_POSTGRES_SCHEMA),
    /** Connections each process holds open. */
    maxConnections: z.number().int().min(1).max(1000).default(10),
  }),
]);

const positive = z.number().positive();

/** `server:` — `mmevolve serve` settings; its flags override them, the server's defaults fill the rest. */
export const serverSectionSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  keysDb: z.string().min(1).optional(),
  runsDir: z.string().min(1).optional(),
  datasetsDir: z.string().min(1).optional(),
  /** The built web UI (default: the package's own dist/web, built on first use). */
  webDir: z.string().min(1).optional(),
  imageUrls: z.enum(['off', 'public', 'any']).optional(),
  maxBodyMb: positive.optional(),
  maxImageMegapixels: positive.optional(),
  maxQueryLength: positive.optional(),
  rateBurst: positive.optional(),
  ratePerSecond: positive.optional(),
});

export const appConfigSchema = z.strictObject({
  backends: backendsSectionSchema.prefault({}),
  cache: cacheSectionSchema,
  evolve: evolveSectionSchema.optional(),
  memory: memoryMethodConfigSchema.prefault({}),
  store: storeSectionSchema.optional(),
  server: serverSectionSchema.prefault({}),
});

export type StoreConfig = z.output<typeof storeSectionSchema>;
export type ServerConfig = z.output<typeof serverSectionSchema>;

export interface EvolveSection {
  /** The file's preset, else the one default of every surface. */
  preset: EvolvePresetName;
  /** Whether the preset came from the file (a flag or request may still choose another). */
  presetFromFile: boolean;
  /** The file's evolve fields as written (validated), applied over whichever preset is chosen. */
  overrides: Record<string, unknown>;
}

/** A validated config: backends and cache as the backends module reads them, the rest resolved. */
export interface AppConfig extends MmevolveConfig {
  evolve: EvolveSection;
  memory: MemoryMethodConfig;
  store: StoreConfig;
  server: ServerConfig;
  /** Paths in the file (cache, store) are relative to this directory. */
  directory: string;
  /** Where the settings came from: the file's path, and/or "command-line flags". */
  source: string;
}

/** Validate a config value (parsed JSON/YAML or an object in code); `source` names it in errors. */
export function parseAppConfig(value: unknown, source = '<config>', directory = process.cwd()): AppConfig {
  const input = value ?? {};
  const parsed = appConfigSchema.safeParse(input);
  if (!parsed.success) throw configError(appConfigSchema, parsed.error, input, source);
  const rawEvolve = isPlainRecord(input) && isPlainRecord(input['evolve']) ? input['evolve'] : {};
  const { preset, ...overrides } = rawEvolve;
  return {
    backends: parsed.data.backends,
    cache: parsed.data.cache,
    evolve: { preset: parsed.data.evolve?.preset ?? DEFAULT_EVOLVE_PRESET, presetFromFile: preset !== undefined, overrides },
    memory: parsed.data.memory,
    store: parsed.data.store ?? { kind: 'sqlite', path: DEFAULT_MEMORY_DB_PATH },
    server: parsed.data.server,
    directory,
    source,
  };
}

/** The first mmevolve.config.{yaml,yml,json} in `directory`, or undefined. */
export function findConfigFile(directory = process.cwd()): string | undefined {
  return CONFIG_FILE_NAMES.map((name) => resolve(directory, name)).find((path) => existsSync(path));
}

/** The raw (unvalidated) value of a config file, YAML or JSON by extension. */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw mmevolveError('not-found', `cannot read config file ${file}`, 'Check the --config path, or run `mmevolve init` to write one.', error);
  }
  try {
    return extname(file) === '.json' ? (JSON.parse(text) as unknown) : ((parseYaml(text) as unknown) ?? {});
  } catch (error) {
    throw mmevolveError('config-invalid', `${file} is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`, 'Fix the syntax error.', error);
  }
}

/** Load and validate a config file (the named one, else the first in `directory`). */
export async function loadAppConfig(path?: string, directory = process.cwd()): Promise<AppConfig> {
  const file = path === undefined ? findConfigFile(directory) : resolve(directory, path);
  if (file === undefined) {
    throw mmevolveError('not-found', `no ${CONFIG_FILE_NAMES.join(' / ')} in ${directory}`, 'Run `mmevolve init` to write one, pass --config FILE, or give --base-url and --model.');
  }
  return parseAppConfig(await readConfigFile(file), file, dirname(file));
}
