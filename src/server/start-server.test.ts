import { describe, expect, it } from 'vitest';
import { createTestServer } from './server-test-support.js';
import { isLoopbackHost, startServer } from './start-server.js';

describe('startServer', () => {
  it('refuses to bind a non-loopback address in dev mode', async () => {
    const server = await createTestServer({ dev: true });
    try {
      await expect(startServer({ app: server.app, port: 0, host: '0.0.0.0', dev: true })).rejects.toMatchObject({ code: 'invalid-input' });
      expect(isLoopbackHost('127.0.0.1')).toBe(true);
      expect(isLoopbackHost('::1')).toBe(true);
      expect(isLoopbackHost('192.168.1.4')).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('serves keyless loopback requests over a real socket in dev mode as tenant "dev"', async () => {
    const server = await createTestServer({ dev: true });
    const running = await startServer({ app: server.app, port: 0, host: '127.0.0.1', dev: true });
    try {
      const response = await fetch(`${running.url}/v1/memories`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ stream: 'logic', text: 'socket lesson' }) });
      expect(response.status).toBe(201);
      expect(((await response.json()) as { lesson: { tenant: string } }).lesson.tenant).toBe('dev');
    } finally {
      await running.close();
      await server.close();
    }
  });
});
