import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeyStore } from '../../server/index.js';
import { registerKeysCommand } from './keys.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-keys-cli-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function keys(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('mmevolve').exitOverride();
  registerKeysCommand(program);
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    await program.parseAsync(['node', 'mmevolve', 'keys', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

describe('mmevolve keys', () => {
  it('creates a key shown once on stdout, lists it without the secret, and revokes it', async () => {
    const db = path.join(directory, 'keys.db');
    const created = await keys('create', '--tenant', 'acme', '--scopes', 'read,solve', '--db', db);
    const key = created.stdout.trim();
    expect(key).toMatch(/^mmev_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/u);
    expect(created.stderr).toContain('only time the key is shown');
    const store = new ApiKeyStore(db);
    expect((await store.verify(key))?.scopes).toEqual(['read', 'solve']);
    store.close();

    const listed = await keys('list', '--db', db);
    const id = key.slice('mmev_'.length, 'mmev_'.length + 16);
    expect(listed.stdout).toContain(`${id}  tenant=acme  scopes=read,solve`);
    expect(listed.stdout).not.toContain(key.slice(-43));

    expect((await keys('revoke', id, '--db', db)).stdout).toContain(`revoked key ${id}`);
    expect((await keys('list', '--db', db, '--json')).stdout).toContain('"revokedAt"');
    await expect(keys('revoke', id, '--db', db)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses unknown scopes', async () => {
    await expect(keys('create', '--tenant', 'acme', '--scopes', 'read,root', '--db', path.join(directory, 'other.db'))).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
