import type { StoreConfig } from '../../app/index.js';

/**
 * Where `serve` keeps its runs: `--runs-db` when given, else the store's Postgres when the config puts
 * lessons there (issue 16: runs, keys and lessons share the configured Postgres, so any replica answers for
 * any run), else undefined (run folders under --runs-dir).
 */
export function runsDatabaseUrl(runsDbFlag: string | undefined, store: StoreConfig): { url: string; from: '--runs-db' | 'store' } | undefined {
  if (runsDbFlag !== undefined) return { url: runsDbFlag, from: '--runs-db' };
  if (store.kind === 'postgres') return { url: store.url, from: 'store' };
  return undefined;
}
