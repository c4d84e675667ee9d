/**
 * `mmevolve keys create|list|revoke`: API keys of `mmevolve serve`. A key is printed once, at creation;
 * only its scrypt hash is stored (in its own SQLite file, .mmevolve/keys.db by default; in the workspace's
 * Postgres when mmevolve.config.* has `store: {kind: postgres}` and no --db is given).
 */
import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import { findConfigFile, loadWorkspaceConfig } from '../../app/index.js';
import { API_KEY_SCOPES, DEFAULT_KEYS_DB_PATH, openKeyStoreFor, parseScopes } from '../../server/index.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../server/index.js';

interface KeysOptions {
  db?: string;
  json?: boolean;
}

async function withKeys<T>(path: string | undefined, work: (store: ApiKeyStore) => Promise<T> | T): Promise<{ result: T; where: string }> {
  const config = path === undefined && findConfigFile() !== undefined ? await loadWorkspaceConfig() : undefined;
  const store = await openKeyStoreFor(config?.store ?? { kind: 'sqlite', path: '' }, path);
  try {
    return { result: await work(store), where: store.path };
  } finally {
    await store.close();
  }
}

function keyLine(record: ApiKeyRecord): string {
  const state = record.revokedAt === undefined ? 'active' : `revoked ${record.revokedAt}`;
  return `${record.id}  tenant=${record.tenant}  scopes=${record.scopes.join(',')}  created=${record.createdAt}  ${state}${record.label === '' ? '' : `  label=${record.label}`}`;
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('Manage API keys of `mmevolve serve` (stored hashed; shown once).');

  keys
    .command('create')
    .description('Create a key for a tenant and print it once.')
    .requiredOption('--tenant <id>', 'tenant whose memories and runs the key reaches')
    .option('--scopes <list>', `comma-separated scopes: ${API_KEY_SCOPES.join(', ')} (admin implies all)`, 'read,write,segment,solve,runs')
    .option('--label <text>', 'a note to recognise the key in `keys list`', '')
    .option('--db <path>', `key database file (default: the config's Postgres when store.kind is postgres, else ${DEFAULT_KEYS_DB_PATH})`)
    .option('--json', 'machine-readable output')
    .action(async (options: KeysOptions & { tenant: string; scopes: string; label: string }) => {
      const scopes = parseScopes(options.scopes);
      const { result: created, where } = await withKeys(options.db, (store) => store.create(options.tenant, scopes, options.label));
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify({ ...created.record, key: created.key }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${created.key}\n`);
      process.stderr.write(`key ${created.record.id} for tenant "${created.record.tenant}" (scopes ${scopes.join(',')}) stored hashed in ${where}.\nThis is the only time the key is shown: copy it now. Send it as "Authorization: Bearer <key>".\n`);
    });

  keys
    .command('list')
    .description('List keys (ids, tenants, scopes; never the keys themselves).')
    .option('--db <path>', `key database file (default: the config's Postgres when store.kind is postgres, else ${DEFAULT_KEYS_DB_PATH})`)
    .option('--json', 'machine-readable output')
    .action(async (options: KeysOptions) => {
      const { result: records, where } = await withKeys(options.db, (store) => store.list());
      if (options.json === true) process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
      else process.stdout.write(records.length === 0 ? `no keys in ${where}\n` : `${records.map(keyLine).join('\n')}\n`);
    });

  keys
    .command('revoke')
    .description('Revoke a key by its id (the server refuses it from the next request on).')
    .argument('<id>', 'key id, as shown by `keys list`')
    .option('--db <path>', `key database file (default: the config's Postgres when store.kind is postgres, else ${DEFAULT_KEYS_DB_PATH})`)
    .action(async (id: string, options: KeysOptions) => {
      const { result: revoked, where } = await withKeys(options.db, (store) => store.revoke(id));
      if (!revoked) throw mmevolveError('not-found', `no active key ${id} in ${where}`, 'list the keys with `mmevolve keys list`');
      process.stdout.write(`revoked key ${id}\n`);
    });
}
