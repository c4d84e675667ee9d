/** CLI processes for benches that measure real servers over sockets (bench only). */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** Start `mmevolve <args>` and wait for the output line matching `pattern` (its first group: the URL). */
export function startProcess(args: string[], pattern: RegExp): Promise<{ child: ChildProcess; url: string; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = pattern.exec(output);
      if (match?.[1] !== undefined) resolve({ child, url: match[1], output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output}`)));
  });
}

/** SIGINT, then wait for the exit. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}
